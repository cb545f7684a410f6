/** SMTP submission backend (MS-ASCMD 2.2.1.17, 2.2.1.19, 2.2.1.20). */
export { SmtpSubmitter, smtpOptionsFromUrl } from './submitter.ts';
export type { SmtpSubmitterOptions } from './submitter.ts';
export { mapSmtpError } from './errors.ts';
