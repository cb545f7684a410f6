import { composeHandler } from './compose/handler.ts';

/** SmartReply (MS-ASCMD 2.2.1.20): both the 14.0+ ComposeMail form and the 12.x MIME-body form; see compose/handler.ts. */
export const smartReplyHandler = composeHandler('SmartReply');
