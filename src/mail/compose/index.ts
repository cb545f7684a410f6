/** Building outgoing mail for SendMail, SmartReply and SmartForward (MS-ASCMD 2.2.1.17, 2.2.1.19, 2.2.1.20). */
export { prepareOutgoing, formatRfc5322Date, formatMailbox, newMessageId, recipientsOf, NoRecipientsError } from './outgoing.ts';
export type { OutgoingMessage, Sender } from './outgoing.ts';
export { composeSmart, addReplyThreading } from './smart.ts';
export type { SmartComposeInput, SmartKind } from './smart.ts';
export { splitMessage, joinMessage, getHeader, getHeaders, setHeader, removeHeader, fieldValue } from './header-block.ts';
export type { HeaderField, SplitMessage } from './header-block.ts';
