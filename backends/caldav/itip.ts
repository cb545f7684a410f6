// PLACEHOLDER (temporary, to be overwritten entirely by the real implementation).
export type PartStat = 'ACCEPTED' | 'TENTATIVE' | 'DECLINED';
export function attendeeReply(_ics: string, _o: { attendeeEmail: string; partstat: PartStat; instanceStart?: Date; proposedStart?: Date; proposedEnd?: Date; comment?: string; now?: Date }): { calendarIcs: string; replyIcs: string; organizer?: { email: string; name?: string }; summary: string; uid: string } { throw new Error('placeholder'); }
export function organizerMessage(_ics: string, _m: 'REQUEST' | 'CANCEL', _o?: { now?: Date; organizerEmail?: string }): { ics: string; attendees: string[]; organizer?: { email: string; name?: string }; summary: string; uid: string; start?: Date } { throw new Error('placeholder'); }
