import { composeHandler } from './compose/handler.ts';

/** SmartForward (MS-ASCMD 2.2.1.19): both the 14.0+ ComposeMail form and the 12.x MIME-body form; see compose/handler.ts. */
export const smartForwardHandler = composeHandler('SmartForward');
