/**
 * The EAS data classes (MS-ASEMAIL, MS-ASCAL, MS-ASCNTC, MS-ASTASK, MS-ASNOTE)
 * and their shared value types (MS-ASDTYPE dates and TimeZone, MS-ASAIRS
 * bodies and attachments): typed objects <-> ApplicationData children.
 * Backends import from here only.
 */
export * from './dates.ts';
export * from './errors.ts';
export * from './values.ts';
export * from './timezone.ts';
export * from './timezone-iana.ts';
export * from './body.ts';
export * from './location.ts';
export * from './recurrence.ts';
export * from './email-flag.ts';
export * from './meeting-request.ts';
export * from './email.ts';
export * from './calendar.ts';
export * from './all-day.ts';
export * from './contact.ts';
export * from './task.ts';
export * from './note.ts';
export * from './classes.ts';
export * from './ghosting.ts';
