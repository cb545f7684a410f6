/**
 * eas-admin top: a terminal view of a running server that refreshes every
 * second. It reads the server's `/metrics.json` (the counters of
 * `/metrics`, plus the recent slowest and failed requests) and the devices
 * from the state database, and shows held Pings and hanging Syncs, push
 * watchers, the IMAP pool, requests per command and status (with the rate
 * over the last refresh), the slowest requests of the last minute, devices
 * by last contact, and the latest errors. `q` or Ctrl-C quits; `--once`
 * prints one frame without clearing the screen (scripts, no terminal).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeviceRow } from '../state/devices.ts';
import type { MetricSample } from '../server/metrics.ts';
import type { RequestRecord } from '../server/request-stats.ts';

export interface LiveStatus {
  readonly at: number;
  readonly metrics: Readonly<Record<string, readonly MetricSample[]>>;
  readonly slowest: readonly RequestRecord[];
  readonly errors: readonly RequestRecord[];
}

/** GET of `/metrics.json`; `insecure` accepts a self-signed certificate (the demo's). */
export function fetchLiveStatus(baseUrl: string, insecure: boolean): Promise<LiveStatus> {
  const url = new URL('/metrics.json', baseUrl);
  const get = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = get(url, { method: 'GET', timeout: 5000, ...(url.protocol === 'https:' ? { rejectUnauthorized: !insecure } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url.href}: HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as LiveStatus);
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url.href}: no answer in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

const sum = (xs: readonly MetricSample[] | undefined, pick: (s: MetricSample) => boolean = () => true): number => (xs ?? []).filter(pick).reduce((n, s) => n + s.value, 0);
const label = (s: MetricSample, k: string): string => s.labels?.[k] ?? '';
const ago = (now: number, t: number): string => {
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : s < 86_400 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
};
const pad = (s: string, n: number): string => (s.length >= n ? `${s.slice(0, n - 1)} ` : s.padEnd(n));

/** Requests per command: total, since the previous frame, and the most frequent statuses. */
function requestRows(now: LiveStatus, prev: LiveStatus | undefined): string[] {
  const by = new Map<string, { total: number; statuses: Map<string, number> }>();
  for (const s of now.metrics['eas_requests_total'] ?? []) {
    const cmd = label(s, 'command');
    const row = by.get(cmd) ?? { total: 0, statuses: new Map<string, number>() };
    row.total += s.value;
    const st = `${label(s, 'http')}${label(s, 'eas') ? `/${label(s, 'eas')}` : ''}`;
    row.statuses.set(st, (row.statuses.get(st) ?? 0) + s.value);
    by.set(cmd, row);
  }
  const before = new Map<string, number>();
  for (const s of prev?.metrics['eas_requests_total'] ?? []) before.set(label(s, 'command'), (before.get(label(s, 'command')) ?? 0) + s.value);
  const secs = prev ? Math.max(0.001, (now.at - prev.at) / 1000) : 0;
  const rows = [...by].sort((a, b) => b[1].total - a[1].total);
  return rows.map(([cmd, r]) => {
    const rate = prev ? ((r.total - (before.get(cmd) ?? 0)) / secs).toFixed(1) : '-';
    const statuses = [...r.statuses].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([st, n]) => `${st}:${n}`).join(' ');
    return `  ${pad(cmd, 18)}${pad(String(r.total), 9)}${pad(`${rate}/s`, 10)}${statuses}`;
  });
}

/** One screen of text. */
export function renderTop(url: string, now: LiveStatus, prev: LiveStatus | undefined, devices: readonly DeviceRow[], width = 100): string {
  const m = now.metrics;
  const held = m['eas_push_held_requests'];
  const pool = m['eas_imap_pool_connections'];
  const rss = sum(m['process_resident_memory_bytes']) / 1024 / 1024;
  const lines = [
    `eas-server top  ${url}  ${new Date(now.at).toISOString().replace('T', ' ').slice(0, 19)}Z   (q quits)`,
    `held: ${sum(held)} (Ping ${sum(held, (s) => label(s, 'kind') === 'ping')}, Sync ${sum(held, (s) => label(s, 'kind') === 'sync')})   watchers: ${sum(m['eas_push_watchers'])}   ` +
      `IMAP: ${sum(pool, (s) => label(s, 'state') === 'busy')} busy / ${sum(pool, (s) => label(s, 'state') === 'idle')} idle   ` +
      `auth failures: ${sum(m['eas_auth_failures_total'])}   backend errors: ${sum(m['eas_backend_errors_total'])}   RSS: ${rss.toFixed(0)} MB`,
    '',
    `requests          total    rate      by status (http/eas)`,
    ...requestRows(now, prev).slice(0, 12),
    '',
    'slowest, last minute (Ping left out)',
    ...(now.slowest.length ? now.slowest.slice(0, 6).map((r) => `  ${pad(`${Math.round(r.ms)} ms`, 10)}${pad(r.command, 16)}${pad(r.mailbox ?? '-', 26)}${pad(r.device ?? '-', 20)}${r.http}${r.eas !== undefined ? `/${r.eas}` : ''}`) : ['  (none)']),
    '',
    'devices by last contact',
    ...(devices.length
      ? [...devices]
          .sort((a, b) => b.lastSeen - a.lastSeen)
          .slice(0, 8)
          .map((d) => `  ${pad(ago(now.at, d.lastSeen), 6)}${pad(d.mailbox, 26)}${pad(d.deviceId, 20)}${pad(d.deviceType, 14)}${pad(d.protocolVersion ?? '-', 6)}${d.wipeStatus !== 'none' ? `wipe:${d.wipeStatus}` : ''}`)
      : ['  (none)']),
    '',
    'latest errors',
    ...(now.errors.length ? now.errors.slice(0, 6).map((r) => `  ${pad(ago(now.at, r.at), 6)}${pad(r.command, 16)}${pad(r.mailbox ?? '-', 26)}${pad(r.device ?? '-', 20)}${r.http}${r.eas !== undefined ? `/${r.eas}` : ''}`) : ['  (none)']),
  ];
  return lines.map((l) => (l.length > width ? l.slice(0, width) : l)).join('\n');
}

/** The loop: a frame a second until q / Ctrl-C (or one frame with `once`). Returns the exit code. */
export async function runTop(o: { url: string; insecure: boolean; once: boolean; json: boolean; devices: () => DeviceRow[]; out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  let prev: LiveStatus | undefined;
  if (o.json) {
    // One reading, as JSON: the server's live status and the devices (for scripts; --once is implied).
    try {
      o.out(JSON.stringify({ ...(await fetchLiveStatus(o.url, o.insecure)), devices: o.devices() }, null, 2));
      return 0;
    } catch (e) {
      o.err(`eas-admin top: ${(e as Error).message}`);
      return 1;
    }
  }
  const frame = async (): Promise<string> => {
    const now = await fetchLiveStatus(o.url, o.insecure);
    const text = renderTop(o.url, now, prev, o.devices(), process.stdout.columns || 120);
    prev = now;
    return text;
  };
  if (o.once) {
    try {
      o.out(await frame());
      return 0;
    } catch (e) {
      o.err(`eas-admin top: ${(e as Error).message}`);
      return 1;
    }
  }
  let stop = false;
  const stdin = process.stdin;
  if (stdin.isTTY) {
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', (b: Buffer) => {
      if (b[0] === 0x71 || b[0] === 0x03) stop = true; // q, Ctrl-C
    });
  }
  process.once('SIGINT', () => (stop = true));
  try {
    while (!stop) {
      let text: string;
      try {
        text = await frame();
      } catch (e) {
        text = `eas-admin top: ${(e as Error).message} (retrying)`;
      }
      process.stdout.write(`\u001b[H\u001b[2J${text}\n`);
      for (let i = 0; i < 10 && !stop; i++) await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    if (stdin.isTTY) {
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
  return 0;
}
