/**
 * Settings Oof (MS-ASCMD 2.2.1.18, 2.2.3.122) <-> the Sieve vacation of
 * backends/sieve. What Sieve can hold decides what we keep:
 * - OofState 1 is a vacation without schedule, 2 one inside StartTime..EndTime;
 *   0 removes it (the user's other rules stay).
 * - AppliesToInternal is "From: in the user's own domain".
 * - AppliesToExternalKnown and AppliesToExternalUnknown share one reply:
 *   Sieve cannot see the user's contacts. ExternalUnknown's text wins when
 *   both are enabled; Get reports the one reply under both, so the phone
 *   shows what is in force.
 * - An enabled state with no enabled message has nothing to send: it is off.
 */
import { OofState, SettingsStatus, type OofMessage, type OofSettings } from '../../protocol/commands/settings.ts';
import { formatIsoDate, parseEasDate } from '../../protocol/types/dates.ts';
import { replyProblem, type Vacation, type VacationReply } from '../../backends/sieve/index.ts';

/** A Set we refuse, with the Settings status to answer (MS-ASCMD 2.2.3.177.15). */
export interface OofRejection {
  readonly status: number;
  readonly reason: string;
}

const isHtml = (bodyType: string | undefined): boolean => bodyType?.toLowerCase() === 'html';

function replyFrom(m: OofMessage | undefined): VacationReply | undefined {
  if (!m) return undefined;
  // Enabled is optional; a message sent without it but with text is meant to be used.
  const enabled = m.enabled ?? m.replyMessage !== undefined;
  if (!enabled || !m.replyMessage) return undefined;
  return { text: m.replyMessage, html: isHtml(m.bodyType) };
}

/**
 * The vacation an Oof Set asks for: `{ vacation }` (undefined = off), or the
 * rejection. `current` is what is in force, for a Set without OofState
 * (only new messages: the state and window stay).
 */
export function vacationFromOofSet(s: OofSettings, current: Vacation | undefined): { vacation: Vacation | undefined } | OofRejection {
  const state = s.oofState ?? (current ? (current.window ? OofState.TimeBased : OofState.Global) : OofState.Disabled);
  if (state === OofState.Disabled) return { vacation: undefined };
  let window: Vacation['window'];
  if (state === OofState.TimeBased) {
    if (s.startTime === undefined && s.endTime === undefined && s.oofState === undefined) window = current?.window;
    else {
      const start = s.startTime !== undefined ? parseEasDate(s.startTime) : undefined;
      const end = s.endTime !== undefined ? parseEasDate(s.endTime) : undefined;
      if (!start || !end) return { status: SettingsStatus.InvalidArguments, reason: 'OofState 2 needs a valid StartTime and EndTime' };
      if (end.getTime() <= start.getTime()) return { status: SettingsStatus.InvalidArguments, reason: 'EndTime is not after StartTime' };
      window = { start, end };
    }
  }
  // MS-ASCMD 2.2.3.124: with OofState 1 the times are accepted and not stored.
  const byAudience = new Map(s.messages.map((m) => [m.appliesTo, m]));
  const given = s.messages.length > 0;
  const internal = given ? replyFrom(byAudience.get('Internal')) : current?.internal;
  const external = given ? (replyFrom(byAudience.get('ExternalUnknown')) ?? replyFrom(byAudience.get('ExternalKnown'))) : current?.external;
  for (const r of [internal, external]) {
    const problem = r && replyProblem(r.text);
    if (problem) return { status: SettingsStatus.InvalidArguments, reason: problem };
  }
  if (!internal && !external) return { vacation: undefined };
  return { vacation: { ...(window ? { window } : {}), ...(internal ? { internal } : {}), ...(external ? { external } : {}) } };
}

/** Oof Get's answer for what is in force, bodies in the BodyType the phone asked for. */
export function oofGetFromVacation(v: Vacation | undefined, bodyType: string): OofSettings {
  const wantHtml = isHtml(bodyType);
  const message = (appliesTo: OofMessage['appliesTo'], r: VacationReply | undefined): OofMessage =>
    r
      ? { appliesTo, enabled: true, replyMessage: convertBody(r, wantHtml), bodyType: wantHtml ? 'HTML' : 'Text' }
      : { appliesTo, enabled: false, replyMessage: '', bodyType: wantHtml ? 'HTML' : 'Text' };
  if (!v) return { oofState: OofState.Disabled, messages: [] };
  return {
    oofState: v.window ? OofState.TimeBased : OofState.Global,
    ...(v.window ? { startTime: formatIsoDate(v.window.start), endTime: formatIsoDate(v.window.end) } : {}),
    messages: [message('Internal', v.internal), message('ExternalKnown', v.external), message('ExternalUnknown', v.external)],
  };
}

/** A stored reply in the other body type: HTML to text drops tags, text to HTML escapes and keeps line breaks. */
function convertBody(r: VacationReply, wantHtml: boolean): string {
  if (r.html === wantHtml) return r.text;
  if (wantHtml) return r.text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(/\r?\n/g, '<br>\r\n');
  return r.text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .trim();
}

/** The user's own domain for AppliesToInternal: the part after "@" of the mailbox address. */
export function internalDomainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const d = at >= 0 ? address.slice(at + 1).trim().toLowerCase() : '';
  return d && /^[a-z0-9.-]+$/.test(d) ? d : undefined;
}
