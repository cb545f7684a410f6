/**
 * What a replay prints: a table per session (step, command, http, result,
 * reason), the closing line "N steps ok, N failed, N unbound", and with
 * --json every exchange as sent and received with its verdict.
 */
import { toXml } from '../../../protocol/xml/index.ts';
import type { SessionResult, StepResult } from './runner.ts';

export interface Totals {
  readonly ok: number;
  readonly failed: number;
  readonly unbound: number;
}

export function totals(sessions: readonly SessionResult[]): Totals {
  const all = sessions.flatMap((s) => s.steps);
  return {
    ok: all.filter((s) => s.result === 'ok').length,
    failed: all.filter((s) => s.result === 'failed').length,
    unbound: all.filter((s) => s.result === 'unbound').length,
  };
}

/** The closing line; its form is what scripts and CI read. */
export function closingLine(t: Totals): string {
  return `${t.ok} steps ok, ${t.failed} failed, ${t.unbound} unbound`;
}

const MAX_REASON = 160;

function http(s: StepResult): string {
  if (!s.actual) return '-';
  return s.actual.status === s.expected.status ? String(s.actual.status) : `${s.actual.status}/${s.expected.status}`;
}

function reasonText(s: StepResult): string {
  const parts = [...s.reasons];
  if (s.provisioning) parts.unshift('provisioned first');
  const text = parts.length > 3 ? `${parts.slice(0, 3).join('; ')}; and ${parts.length - 3} more` : parts.join('; ');
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 3)}...` : text;
}

/** One session as a plain-text table. */
export function sessionTable(s: SessionResult): string {
  const rows = s.steps.map((r) => [String(r.index), r.command, http(r), r.result, reasonText(r)]);
  const head = ['step', 'command', 'http', 'result', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const t = totals([s]);
  return [
    `${s.file}${s.family ? ` (${s.family})` : ''}: device ${s.deviceId} for ${s.recordedDeviceId}, ${(s.durationMs / 1000).toFixed(1)} s`,
    line(head),
    ...rows.map(line),
    `  ${closingLine(t)}`,
  ].join('\n');
}

/** Every exchange with its verdict, for --json. */
export function jsonReport(sessions: readonly SessionResult[]): unknown {
  return {
    summary: totals(sessions),
    sessions: sessions.map((s) => ({
      file: s.file,
      family: s.family,
      recordedDeviceId: s.recordedDeviceId,
      deviceId: s.deviceId,
      durationMs: s.durationMs,
      steps: s.steps.map((r) => ({
        step: r.index,
        command: r.command,
        result: r.result,
        reasons: r.reasons,
        unbound: r.unbound,
        sent: r.sent,
        provisioning: r.provisioning,
        expected: {
          status: r.expected.status,
          ...(r.expected.body.kind === 'wbxml' ? { xml: toXml(r.expected.body.tree, { pretty: true }) } : {}),
          ...(r.expected.body.kind === 'other' ? { bodyNote: `${r.expected.body.contentType}, ${r.expected.body.size} bytes` } : {}),
        },
        bound: r.pairs,
      })),
    })),
  };
}
