import type { MetricFamily, MetricSample } from './metrics.ts';

/**
 * Counters of the requests a server answered, fed by the request log
 * (request-log.ts, one record per request) and read by `/metrics`
 * (Prometheus) and `/metrics.json` (eas-admin top): duration histograms
 * per command, answers per command and status, auth failures, backend
 * errors, items sent by Sync, and the recent slowest and failed requests.
 * Everything is a fixed-size structure: a server holding 10,000 Pings
 * keeps the same few kilobytes.
 */
export interface RequestRecord {
  readonly at: number;
  readonly command: string;
  readonly http: number;
  readonly eas?: number | string;
  readonly ms: number;
  readonly mailbox?: string;
  readonly device?: string;
  /** Items (Add, Change, Delete) a Sync answer carried. */
  readonly items?: number;
}

/** Seconds. Held Pings and hanging Syncs last up to an hour, so the buckets go that far. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600] as const;

/** Commands that wait on purpose (push): left out of "slowest". */
const HELD = new Set(['Ping']);
const RECENT = 512;
const ERRORS_KEPT = 20;
const SLOW_WINDOW_MS = 60_000;

interface Histogram {
  readonly buckets: number[];
  sum: number;
  count: number;
}

export class RequestStats {
  readonly #durations = new Map<string, Histogram>();
  readonly #answers = new Map<string, number>();
  readonly #recent: RequestRecord[] = [];
  readonly #errors: RequestRecord[] = [];
  #authFailures = 0;
  readonly #backendErrors = new Map<number, number>();
  #syncItems = 0;
  readonly startedAt = Date.now();

  record(r: RequestRecord): void {
    let h = this.#durations.get(r.command);
    if (!h) {
      h = { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.#durations.set(r.command, h);
    }
    const s = r.ms / 1000;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (s <= DURATION_BUCKETS[i]!) h.buckets[i]!++;
    h.sum += s;
    h.count++;
    const key = `${r.command}\u0000${r.http}\u0000${r.eas ?? ''}`;
    this.#answers.set(key, (this.#answers.get(key) ?? 0) + 1);
    if (r.http === 401) this.#authFailures++;
    if (r.http >= 500) this.#backendErrors.set(r.http, (this.#backendErrors.get(r.http) ?? 0) + 1);
    if (r.items) this.#syncItems += r.items;
    this.#recent.push(r);
    if (this.#recent.length > RECENT) this.#recent.shift();
    if (isError(r)) {
      this.#errors.push(r);
      if (this.#errors.length > ERRORS_KEPT) this.#errors.shift();
    }
  }

  /** The families `/metrics` shows. */
  metricFamilies(): MetricFamily[] {
    return [
      {
        name: 'eas_request_duration_seconds',
        help: 'Time to answer a request, by command (held Pings and hanging Syncs included: see the command label).',
        type: 'histogram',
        collect: () => {
          const out: MetricSample[] = [];
          for (const [command, h] of this.#durations) {
            DURATION_BUCKETS.forEach((le, i) => out.push({ suffix: '_bucket', labels: { command, le: String(le) }, value: h.buckets[i]! }));
            out.push({ suffix: '_bucket', labels: { command, le: '+Inf' }, value: h.count }, { suffix: '_sum', labels: { command }, value: h.sum }, { suffix: '_count', labels: { command }, value: h.count });
          }
          return out;
        },
      },
      {
        name: 'eas_requests_total',
        help: 'Requests answered, by command, HTTP status and EAS status.',
        type: 'counter',
        collect: () =>
          [...this.#answers].map(([k, value]) => {
            const [command, http, eas] = k.split('\u0000');
            return { labels: { command: command!, http: http!, eas: eas! }, value };
          }),
      },
      { name: 'eas_auth_failures_total', help: 'Requests answered 401 (wrong or missing credentials).', type: 'counter', collect: () => this.#authFailures },
      {
        name: 'eas_backend_errors_total',
        help: 'Requests answered 5xx: 503 when IMAP, SMTP or DAV was unreachable, 500 for server faults.',
        type: 'counter',
        collect: () => [...this.#backendErrors].map(([http, value]) => ({ labels: { http: String(http) }, value })),
      },
      { name: 'eas_sync_items_total', help: 'Items (Add, Change, Delete) sent in Sync answers.', type: 'counter', collect: () => this.#syncItems },
    ];
  }

  /** For eas-admin top: the slowest requests of the last minute (held ones left out) and the latest failures. */
  recent(now = Date.now()): { slowest: RequestRecord[]; errors: RequestRecord[] } {
    const slowest = this.#recent
      .filter((r) => now - r.at <= SLOW_WINDOW_MS && !HELD.has(r.command) && r.eas !== 'no-changes')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    return { slowest, errors: [...this.#errors].reverse() };
  }
}

/** A request that went wrong for the device: HTTP 4xx/5xx, or a common EAS status (101 and up, MS-ASCMD 2.2.2). */
function isError(r: RequestRecord): boolean {
  return r.http >= 400 || (typeof r.eas === 'number' && r.eas >= 101);
}
