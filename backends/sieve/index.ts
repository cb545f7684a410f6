/**
 * Out of Office kept in the user's Sieve scripts over ManageSieve (RFC 5804).
 *
 * How the user's other rules stay untouched — the choice, and why:
 * our vacation lives in a script of its own (`eas-oof`). When the user
 * already has an active script of their own, we do not edit it (no marker
 * comments spliced into someone else's text, no merging of `require` lists);
 * we activate a tiny wrapper (`eas-main`) that runs ours and then theirs with
 * `include` (RFC 6609), byte for byte as they were. Turning Out of Office off
 * re-activates their script and removes ours. Roundcube's managesieve plugin
 * does either; the include form is the one where a bug of ours cannot damage
 * a rule the user wrote. A script that holds only a vacation (webmail's
 * Out of Office form) is not kept beside ours but replaced, as two vacation
 * actions in one delivery fail (RFC 5230 4.7); it stays on the server,
 * inactive.
 *
 * Atomicity: PUTSCRIPT replaces a script only once it compiled (RFC 5804
 * 2.6), and a script is made active only after it is stored, so a failure at
 * any step leaves the previous active script in force.
 */
import { BackendError } from '../errors.ts';
import type { UserSession } from '../types.ts';
import { withManageSieve, type ManageSieveConnection, type ManageSieveEndpoint } from './client.ts';
import { parseSieve, positional, sieveString } from './script-parse.ts';
import { isVacationOnly, readVacationScript, renderVacationScript, type Vacation } from './vacation.ts';

export type { ManageSieveEndpoint } from './client.ts';
export type { Vacation, VacationReply } from './vacation.ts';
export { replyProblem, VACATION_LIMITS } from './vacation.ts';

/** Out of Office as the EAS server uses it (STYLE habit 5: one small interface per capability). */
export interface VacationStore {
  /** The vacation in force (from the active script), or undefined when none. */
  getVacation(session: UserSession): Promise<Vacation | undefined>;
  /** Turns Out of Office on with `vacation`, or off with undefined; `internalDomain` is the user's own domain. */
  setVacation(session: UserSession, vacation: Vacation | undefined, opts: { internalDomain?: string }): Promise<void>;
}

/** Our script names: visible in webmail's script list, so they say what they are. */
export const SCRIPT_NAMES = { vacation: 'eas-oof', wrapper: 'eas-main' } as const;

const WRAPPER_MARKER = '# Runs the Out of Office set from a phone, then the rules that were active before.';

/** The wrapper: ours first (a vacation never stops the user's rules), then theirs. */
export function renderWrapper(previous: string): string {
  return [
    `${WRAPPER_MARKER}\r\n`,
    'require ["include"];\r\n',
    `include :personal ${sieveString(SCRIPT_NAMES.vacation)};\r\n`,
    `include :personal ${sieveString(previous)};\r\n`,
  ].join('');
}

/** The user's script that our wrapper runs after ours, if the wrapper is ours. */
export function wrappedScript(wrapper: string): string | undefined {
  try {
    const names = parseSieve(wrapper)
      .filter((c) => c.name === 'include')
      .map((c) => positional(c)[0]?.[0])
      .filter((n): n is string => n !== undefined && n !== SCRIPT_NAMES.vacation);
    return names[0];
  } catch {
    return undefined;
  }
}

/** The VacationStore over a ManageSieve server (Dovecot Pigeonhole in tests and the demo). */
export class ManageSieveVacationStore implements VacationStore {
  constructor(private readonly endpoint: ManageSieveEndpoint) {}

  async getVacation(session: UserSession): Promise<Vacation | undefined> {
    return withManageSieve(this.endpoint, session, async (c) => {
      const active = (await c.listScripts()).find((s) => s.active)?.name;
      if (active === undefined) return undefined;
      const name = active === SCRIPT_NAMES.wrapper ? SCRIPT_NAMES.vacation : active;
      const script = await getOptional(c, name);
      if (script === undefined) return undefined;
      try {
        return readVacationScript(script);
      } catch {
        // An active script Pigeonhole accepted but we cannot read: nothing we can report as Out of Office.
        return undefined;
      }
    });
  }

  async setVacation(session: UserSession, vacation: Vacation | undefined, opts: { internalDomain?: string }): Promise<void> {
    // Render before connecting: bad input fails here, before the server is touched.
    const ours = vacation ? renderVacationScript(vacation, opts.internalDomain) : undefined;
    await withManageSieve(this.endpoint, session, async (c) => {
      const scripts = await c.listScripts();
      const active = scripts.find((s) => s.active)?.name;
      const previous = await this.userScript(c, active);
      if (ours === undefined) {
        await this.disable(c, active, previous);
        return;
      }
      await c.putScript(SCRIPT_NAMES.vacation, ours);
      if (previous === undefined) {
        if (active !== SCRIPT_NAMES.vacation) await c.setActive(SCRIPT_NAMES.vacation);
      } else {
        const wrapper = renderWrapper(previous);
        const current = active === SCRIPT_NAMES.wrapper ? await getOptional(c, SCRIPT_NAMES.wrapper) : undefined;
        if (current !== wrapper) {
          await c.putScript(SCRIPT_NAMES.wrapper, wrapper);
          if (active !== SCRIPT_NAMES.wrapper) await c.setActive(SCRIPT_NAMES.wrapper);
        }
      }
      // A wrapper no longer needed (the user's script went away) is left inactive; remove it.
      if (previous === undefined && scripts.some((s) => s.name === SCRIPT_NAMES.wrapper)) await deleteQuietly(c, SCRIPT_NAMES.wrapper);
    });
  }

  /**
   * The user's own script that must keep running beside our vacation: the
   * active one, or the one our active wrapper runs; none when there is none
   * or it is only a vacation (replaced, see module comment).
   */
  private async userScript(c: ManageSieveConnection, active: string | undefined): Promise<string | undefined> {
    if (active === undefined || active === SCRIPT_NAMES.vacation) return undefined;
    let name = active;
    if (active === SCRIPT_NAMES.wrapper) {
      const w = await getOptional(c, SCRIPT_NAMES.wrapper);
      const inner = w === undefined ? undefined : wrappedScript(w);
      if (inner === undefined) return undefined;
      name = inner;
    }
    const text = await getOptional(c, name);
    if (text === undefined || isVacationOnly(text)) return undefined;
    return name;
  }

  /** Off: the user's own script active again (or none), then our scripts removed. */
  private async disable(c: ManageSieveConnection, active: string | undefined, previous: string | undefined): Promise<void> {
    if (active === undefined) return;
    const ourActive = active === SCRIPT_NAMES.wrapper || active === SCRIPT_NAMES.vacation;
    if (!ourActive) {
      // Webmail's vacation-only script: deactivate it (kept, so webmail can turn it on again).
      // A script with other rules as well is left alone: we never edit the user's rules.
      if (previous === undefined) await c.setActive('');
      return;
    }
    await c.setActive(previous ?? '');
    await deleteQuietly(c, SCRIPT_NAMES.wrapper);
    await deleteQuietly(c, SCRIPT_NAMES.vacation);
  }
}

async function getOptional(c: ManageSieveConnection, name: string): Promise<string | undefined> {
  try {
    return await c.getScript(name);
  } catch (e) {
    if (e instanceof BackendError && e.code === 'NotFound') return undefined;
    throw e;
  }
}

/** Removing our leftovers is tidying, not part of the change: a failure there is ignored. */
async function deleteQuietly(c: ManageSieveConnection, name: string): Promise<void> {
  try {
    await c.deleteScript(name);
  } catch (e) {
    if (e instanceof BackendError && e.code === 'BackendUnavailable') throw e;
  }
}
