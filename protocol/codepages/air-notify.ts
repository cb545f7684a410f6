import type { CodePageDef } from './types.ts';

/**
 * Code page 3: AirNotify (MS-ASWBXML 2.1.2.1.4).
 *
 * Tags without a version column entry exist in no protocol version we speak.
 *
 * MS-ASWBXML: code page 3 is no longer in use; its tokens are defined so that
 * old bytes still decode, but no version we speak may encode them.
 */
export const airNotifyPage: CodePageDef = {
  page: 3,
  ns: 'AirNotify',
  section: 'MS-ASWBXML 2.1.2.1.4',
  since: null,
  tags: [
    [0x05, 'Notify'],
    [0x06, 'Notification'],
    [0x07, 'Version'],
    [0x08, 'Lifetime'],
    [0x09, 'DeviceInfo'],
    [0x0A, 'Enable'],
    [0x0B, 'Folder'],
    [0x0C, 'ServerEntryId'],
    [0x0D, 'DeviceAddress'],
    [0x0E, 'ValidCarrierProfiles'],
    [0x0F, 'CarrierProfile'],
    [0x10, 'Status'],
    [0x11, 'Responses'],
    [0x12, 'Devices'],
    [0x13, 'Device'],
    [0x14, 'Id'],
    [0x15, 'Expiry'],
    [0x16, 'NotifyGUID'],
    [0x17, 'DeviceFriendlyName'],
  ],
};
