import { childrenNamed, type WbxmlElement } from '../wbxml/tree.ts';
import { el } from '../wbxml/tree.ts';
import { compact, optBool, optInt, reqInt, type Fail } from './util.ts';

/**
 * BodyPreference / BodyPartPreference (MS-ASAIRS 2.2.2.7, 2.2.2.8), shared by
 * Sync, ItemOperations, Search, Find and GetItemEstimate options. Type 1 =
 * plain text, 2 = HTML, 3 = RTF, 4 = MIME (MS-ASAIRS 2.2.2.22.1).
 */
export interface BodyPreference {
  readonly type: number;
  readonly truncationSize?: number;
  readonly allOrNone?: boolean;
  /** Characters of preview text (0..255), 14.0+. */
  readonly preview?: number;
}

/** Body type values (MS-ASAIRS 2.2.2.22.1). */
export const BodyType = { PlainText: 1, Html: 2, Rtf: 3, Mime: 4 } as const;

function parseOne(e: WbxmlElement, fail: Fail): BodyPreference {
  const type = reqInt(e, 'Type', 'AirSyncBase', fail);
  if (type < 1 || type > 4) return fail(`${e.name} Type ${type} is not 1..4`);
  const truncationSize = optInt(e, 'TruncationSize', 'AirSyncBase', fail);
  if (truncationSize !== undefined && truncationSize < 0) return fail('TruncationSize is negative');
  const preview = optInt(e, 'Preview', 'AirSyncBase', fail);
  if (preview !== undefined && (preview < 0 || preview > 255)) return fail('Preview is not 0..255');
  return compact({ type, truncationSize, allOrNone: optBool(e, 'AllOrNone', 'AirSyncBase', fail), preview });
}

/** All `AirSyncBase:<name>` preference children of an Options-like element, in document order. */
export function parseBodyPreferences(
  options: WbxmlElement,
  name: 'BodyPreference' | 'BodyPartPreference',
  fail: Fail,
): BodyPreference[] {
  return childrenNamed(options, name, 'AirSyncBase').map((e) => parseOne(e, fail));
}

/** Builds one preference element (used by tests and by clients of this library, e.g. the replay tool). */
export function buildBodyPreference(p: BodyPreference, name: 'BodyPreference' | 'BodyPartPreference' = 'BodyPreference'): WbxmlElement {
  return el('AirSyncBase', name, [
    el('AirSyncBase', 'Type', p.type),
    p.truncationSize !== undefined ? el('AirSyncBase', 'TruncationSize', p.truncationSize) : undefined,
    p.allOrNone !== undefined ? el('AirSyncBase', 'AllOrNone', p.allOrNone) : undefined,
    p.preview !== undefined ? el('AirSyncBase', 'Preview', p.preview) : undefined,
  ]);
}
