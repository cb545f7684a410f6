import { composeHandler } from './compose/handler.ts';

/** SendMail (MS-ASCMD 2.2.1.17): both the 14.0+ ComposeMail form and the 12.x MIME-body form; see compose/handler.ts. */
export const sendMailHandler = composeHandler('SendMail');
