import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/server/metrics.ts';

describe('Metrics (Prometheus text format)', () => {
  it('renders gauges and labelled counters with HELP and TYPE lines', () => {
    const m = new Metrics()
      .add({ name: 'eas_push_watchers', help: 'Watchers.', type: 'gauge', collect: () => 3 })
      .add({ name: 'eas_push_answered_total', help: 'Answered.', type: 'counter', collect: () => [{ labels: { reason: 'timeout' }, value: 2 }, { labels: { reason: 'changed' }, value: 5 }] });
    expect(m.render()).toBe(
      [
        '# HELP eas_push_watchers Watchers.',
        '# TYPE eas_push_watchers gauge',
        'eas_push_watchers 3',
        '# HELP eas_push_answered_total Answered.',
        '# TYPE eas_push_answered_total counter',
        'eas_push_answered_total{reason="timeout"} 2',
        'eas_push_answered_total{reason="changed"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and leaves out a family whose collector throws', () => {
    const m = new Metrics()
      .add({ name: 'broken', help: 'x', type: 'gauge', collect: () => { throw new Error('boom'); } })
      .add({ name: 'odd', help: 'a\nb', type: 'gauge', collect: () => [{ labels: { v: 'q"\\\n' }, value: Infinity }] });
    const text = m.render();
    expect(text).not.toContain('broken');
    expect(text).toContain('# HELP odd a\\nb');
    expect(text).toContain('odd{v="q\\"\\\\\\n"} +Inf');
  });

  it('refuses a duplicate or malformed metric name', () => {
    const m = new Metrics().add({ name: 'a', help: '', type: 'gauge', collect: () => 1 });
    expect(() => m.add({ name: 'a', help: '', type: 'gauge', collect: () => 1 })).toThrow(/twice/);
    expect(() => m.add({ name: 'bad-name', help: '', type: 'gauge', collect: () => 1 })).toThrow(/bad metric name/);
  });
});
