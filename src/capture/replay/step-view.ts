/**
 * One exchange of a capture file for people: `eas-wbxml step CAPTURE N`
 * prints what the device sent and what the server answered, as indented
 * XML, with the query decoded and the headers that matter.
 */
import { toXml } from '../../../protocol/xml/index.ts';
import type { CaptureFile } from '../format.ts';
import { readSteps, type StepBody } from './steps.ts';

function body(b: StepBody): string {
  if (b.kind === 'none') return '(no body)';
  if (b.kind === 'other') return `(${b.contentType}, ${b.size} bytes)${b.text !== undefined ? `\n${b.text}` : ''}`;
  return toXml(b.tree, { pretty: true }).trimEnd();
}

const headers = (h: Readonly<Record<string, string>>): string[] => Object.entries(h).map(([k, v]) => `${k}: ${v}`);

/** Step `n` (1-based) as text; throws a RangeError naming the valid range. */
export function formatStep(file: CaptureFile, n: number): string {
  const steps = readSteps(file);
  const s = steps[n - 1];
  if (!Number.isInteger(n) || !s) throw new RangeError(`step ${n} does not exist: the capture has steps 1 to ${steps.length}`);
  const x = s.exchange;
  const params = Object.entries(s.params).map(([k, v]) => `${k}=${v}`);
  return [
    `step ${n} of ${steps.length}: ${s.method} ${s.command}${s.version ? ` (${s.version}, ${s.form} query)` : ''} at ${x.at}, ${x.durationMs} ms`,
    ...(x.query !== '' ? [`query: ${x.query}`] : []),
    ...(params.length > 0 ? [`parameters: ${params.join(' ')}`] : []),
    ...(s.unusable ? [`cannot be replayed: ${s.unusable}`] : []),
    ...(x.knownDeviation ? [`known deviation: ${x.knownDeviation}`] : []),
    '--- request',
    ...headers(x.requestHeaders as Readonly<Record<string, string>>),
    body(s.request),
    `--- response: HTTP ${s.expected.status}`,
    ...headers(s.expected.headers),
    body(s.expected.body),
  ].join('\n');
}
