/**
 * WBXML 1.3 global tokens (WAP-192-WBXML section 7.1) and the tag bits.
 * EAS uses only SWITCH_PAGE, END, STR_I, OPAQUE and tags with or without
 * content (MS-ASWBXML 2.1.1); the rest are listed so the decoder can name
 * what it refuses.
 */
export const SWITCH_PAGE = 0x00;
export const END = 0x01;
export const ENTITY = 0x02;
export const STR_I = 0x03;
export const LITERAL = 0x04;
export const EXT_I_0 = 0x40;
export const PI = 0x43;
export const LITERAL_C = 0x44;
export const EXT_T_0 = 0x80;
export const STR_T = 0x83;
export const LITERAL_A = 0x84;
export const EXT_0 = 0xc0;
export const OPAQUE = 0xc3;
export const LITERAL_AC = 0xc4;

/** Tag byte bit: the element has content and ends with END. */
export const TAG_CONTENT = 0x40;
/** Tag byte bit: the element has attributes (never in EAS). */
export const TAG_ATTRIBUTES = 0x80;

/** The header EAS devices and servers send: WBXML 1.3, public id 1 (unknown), charset 106 (UTF-8), empty string table. */
export const EAS_HEADER: readonly number[] = [0x03, 0x01, 0x6a, 0x00];

/** IANA MIBenum of UTF-8, the only charset EAS uses. */
export const CHARSET_UTF8 = 106;

/** Human name of a global token, for error messages. */
export function globalTokenName(b: number): string {
  switch (b) {
    case ENTITY: return 'ENTITY';
    case LITERAL: return 'LITERAL';
    case 0x40: case 0x41: case 0x42: return `EXT_I_${b - 0x40}`;
    case PI: return 'PI';
    case LITERAL_C: return 'LITERAL_C';
    case 0x80: case 0x81: case 0x82: return `EXT_T_${b - 0x80}`;
    case STR_T: return 'STR_T';
    case LITERAL_A: return 'LITERAL_A';
    case 0xc0: case 0xc1: case 0xc2: return `EXT_${b - 0xc0}`;
    case LITERAL_AC: return 'LITERAL_AC';
    default: return `0x${b.toString(16).padStart(2, '0')}`;
  }
}
