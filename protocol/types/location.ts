/**
 * The structured location of protocol 16.x (MS-ASAIRS 2.2.2.27 Location),
 * used by Calendar and by Email MeetingRequest instead of the plain-text
 * Location element of earlier versions.
 */
import { child, el, opt } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { clean, readText } from './values.ts';

/** Everything but the display name of an AirSyncBase Location; coordinates are kept as the decimal text sent. */
export interface EasLocationDetails {
  annotation?: string;
  street?: string;
  city?: string;
  state?: string;
  country?: string;
  postalCode?: string;
  latitude?: string;
  longitude?: string;
  accuracy?: string;
  altitude?: string;
  altitudeAccuracy?: string;
  locationUri?: string;
}

const FIELDS: readonly [keyof EasLocationDetails, string][] = [
  ['annotation', 'Annotation'],
  ['street', 'Street'],
  ['city', 'City'],
  ['state', 'State'],
  ['country', 'Country'],
  ['postalCode', 'PostalCode'],
  ['latitude', 'Latitude'],
  ['longitude', 'Longitude'],
  ['accuracy', 'Accuracy'],
  ['altitude', 'Altitude'],
  ['altitudeAccuracy', 'AltitudeAccuracy'],
  ['locationUri', 'LocationUri'],
];

/** `airsyncbase:Location` with DisplayName first, as MS-ASAIRS 2.2.2.27 lists its children. */
export function locationToElement(displayName: string | undefined, details: EasLocationDetails | undefined): WbxmlElement {
  return el('AirSyncBase', 'Location', [
    opt('AirSyncBase', 'DisplayName', displayName),
    ...FIELDS.map(([k, name]) => opt('AirSyncBase', name, details?.[k])),
  ]);
}

/** Display name and details of `airsyncbase:Location` under `parent`; undefined when absent. */
export function locationFromElement(
  parent: WbxmlElement,
): { displayName?: string; details?: EasLocationDetails } | undefined {
  const loc = child(parent, 'Location', 'AirSyncBase');
  if (!loc) return undefined;
  const details: EasLocationDetails = clean(Object.fromEntries(FIELDS.map(([k, name]) => [k, readText(loc, 'AirSyncBase', name)])));
  return clean({
    displayName: readText(loc, 'AirSyncBase', 'DisplayName'),
    details: Object.keys(details).length ? details : undefined,
  });
}
