import type { FastifyInstance } from 'fastify';
import type { RequestStats } from './request-stats.ts';

/** One sample of a metric family; labels become `{name="value"}`. */
export interface MetricSample {
  /** `_bucket`, `_sum` or `_count` for the samples of a histogram. */
  readonly suffix?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A metric family read at scrape time: a gauge (can go down) or a counter (only grows). */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter' | 'histogram';
  /** Called on every scrape; cheap reads of counters the code keeps anyway. */
  readonly collect: () => number | readonly MetricSample[];
}

/**
 * The metrics of one server instance (no module-level registry, STYLE
 * habit 8). Families are read when scraped, so counting costs nothing
 * between scrapes. Names follow Prometheus conventions (`eas_` prefix,
 * `_total` for counters).
 */
export class Metrics {
  readonly #families = new Map<string, MetricFamily>();

  /** Adds a family; a second one with the same name is a programming error. */
  add(family: MetricFamily): this {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(family.name)) throw new Error(`bad metric name ${family.name}`);
    if (this.#families.has(family.name)) throw new Error(`metric ${family.name} registered twice`);
    this.#families.set(family.name, family);
    return this;
  }

  /** Every family with its samples, for `/metrics.json`; a family whose collect throws is left out. */
  snapshot(): Record<string, readonly MetricSample[]> {
    const out: Record<string, readonly MetricSample[]> = {};
    for (const f of this.#families.values()) {
      try {
        const v = f.collect();
        out[f.name] = typeof v === 'number' ? [{ value: v }] : v;
      } catch {
        // left out, as in render()
      }
    }
    return out;
  }

  /** Prometheus text exposition format 0.0.4. A family whose collect throws is left out, not the whole page. */
  render(): string {
    const out: string[] = [];
    for (const f of this.#families.values()) {
      let samples: readonly MetricSample[];
      try {
        const v = f.collect();
        samples = typeof v === 'number' ? [{ value: v }] : v;
      } catch {
        continue;
      }
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
      for (const s of samples) out.push(`${f.name}${s.suffix ?? ''}${labelText(s.labels)} ${formatValue(s.value)}`);
    }
    return out.join('\n') + '\n';
  }
}

/** Content type of the text format, as Prometheus expects it. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** What the metrics page reads from the services. */
export interface MetricsSources {
  readonly push: { metricFamilies(): MetricFamily[] };
  readonly requests?: RequestStats;
  readonly mail?: { readonly pool: { stats(): { total: number; users: number; busy: number } } };
}

/** The server's metric families: push (held requests, watchers, wake-ups, answers), the IMAP pool and the process. */
export function serverMetrics(sources: MetricsSources): Metrics {
  const m = new Metrics();
  for (const f of sources.push.metricFamilies()) m.add(f);
  for (const f of sources.requests?.metricFamilies() ?? []) m.add(f);
  const pool = sources.mail?.pool;
  if (pool) {
    m.add({ name: 'eas_imap_pool_connections', help: 'Pooled IMAP connections (request pool, not push watchers).', type: 'gauge', collect: () => {
      const s = pool.stats();
      return [{ labels: { state: 'busy' }, value: s.busy }, { labels: { state: 'idle' }, value: s.total - s.busy }];
    } });
  }
  m.add({ name: 'process_resident_memory_bytes', help: 'Resident set size.', type: 'gauge', collect: () => process.memoryUsage.rss() });
  m.add({ name: 'process_cpu_seconds_total', help: 'User and system CPU time.', type: 'counter', collect: () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  } });
  return m;
}

/**
 * Registers `GET /metrics` (Prometheus text) on the Fastify app. Kept apart
 * from the EAS route: it needs no EAS authentication, so operators should
 * expose it only on an internal network or behind their proxy's ACL.
 */
export function registerMetricsRoute(app: FastifyInstance, sources: MetricsSources): void {
  const metrics = serverMetrics(sources);
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', METRICS_CONTENT_TYPE);
    return metrics.render();
  });
  app.get('/metrics.json', async () => liveStatus(metrics, sources));
}

/** The live status of a running server's own counters, for the admin API's /v1/live. */
export function liveView(sources: MetricsSources): () => Record<string, unknown> {
  const metrics = serverMetrics(sources);
  return () => liveStatus(metrics, sources);
}

/** The counters as JSON plus the recent slowest and failed requests: what eas-admin top shows (/metrics.json, the admin API's /v1/live). */
export function liveStatus(metrics: Metrics, sources: MetricsSources): Record<string, unknown> {
  return { at: Date.now(), metrics: metrics.snapshot(), ...(sources.requests?.recent() ?? { slowest: [], errors: [] }) };
}

function labelText(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
