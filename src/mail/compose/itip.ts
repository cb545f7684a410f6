// PLACEHOLDER (temporary, to be overwritten entirely by the real implementation).
export function itipMessage(_o: { from: string; fromName?: string; to: readonly string[]; subject: string; text: string; ics: string; method: 'REQUEST' | 'REPLY' | 'CANCEL'; date?: Date; messageId?: string }): Buffer { throw new Error('placeholder'); }
export function replySubject(_p: string, _s: string): string { throw new Error('placeholder'); }
