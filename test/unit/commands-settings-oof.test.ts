import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { BackendError } from '../../backends/errors.ts';
import type { Vacation, VacationStore } from '../../backends/sieve/index.ts';
import type { OofSettings } from '../../protocol/commands/settings.ts';
import { child, textOf } from '../../protocol/wbxml/tree.ts';
import { settingsHandler } from '../../src/commands/settings.ts';
import { internalDomainOf, oofGetFromVacation, vacationFromOofSet } from '../../src/commands/settings-oof.ts';
import type { CommandContext } from '../../src/commands/types.ts';
import type { Services } from '../../src/server/services.ts';

const text = (t: string) => ({ text: t, html: false });

describe('Oof Set -> vacation (MS-ASCMD 2.2.3.122)', () => {
  const set = (s: Partial<OofSettings>, current?: Vacation) => vacationFromOofSet({ messages: [], ...s }, current);

  it('OofState 1 keeps the internal reply and the external one, ExternalUnknown before ExternalKnown', () => {
    expect(
      set({
        oofState: 1,
        startTime: '2027-01-01T00:00:00.000Z',
        endTime: '2027-01-02T00:00:00.000Z',
        messages: [
          { appliesTo: 'Internal', enabled: true, replyMessage: 'in' },
          { appliesTo: 'ExternalKnown', enabled: true, replyMessage: 'known' },
          { appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'unknown' },
        ],
      }),
    ).toEqual({ vacation: { internal: text('in'), external: text('unknown') } });
  });

  it('ExternalKnown alone becomes the external reply; disabled messages are dropped', () => {
    expect(
      set({
        oofState: 1,
        messages: [
          { appliesTo: 'Internal', enabled: false, replyMessage: 'in' },
          { appliesTo: 'ExternalKnown', enabled: true, replyMessage: 'known', bodyType: 'HTML' },
          { appliesTo: 'ExternalUnknown', enabled: false },
        ],
      }),
    ).toEqual({ vacation: { external: { text: 'known', html: true } } });
  });

  it('OofState 2 takes the window; 0 or no enabled message is off', () => {
    expect(set({ oofState: 2, startTime: '2027-01-01T08:00:00.000Z', endTime: '2027-01-02T08:00:00.000Z', messages: [{ appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'x' }] })).toEqual({
      vacation: { window: { start: new Date('2027-01-01T08:00:00Z'), end: new Date('2027-01-02T08:00:00Z') }, external: text('x') },
    });
    expect(set({ oofState: 0, messages: [{ appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'x' }] })).toEqual({ vacation: undefined });
    expect(set({ oofState: 1, messages: [{ appliesTo: 'ExternalUnknown', enabled: false, replyMessage: 'x' }] })).toEqual({ vacation: undefined });
  });

  it('a Set without OofState keeps the state and window in force; one without messages keeps the replies', () => {
    const current: Vacation = { window: { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-01-02T00:00:00Z') }, external: text('old') };
    expect(set({ messages: [{ appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'new' }] }, current)).toEqual({ vacation: { window: current.window, external: text('new') } });
    expect(set({ oofState: 1 }, current)).toEqual({ vacation: { external: text('old') } });
    expect(set({ messages: [{ appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'new' }] }, undefined)).toEqual({ vacation: undefined });
  });

  it.each<[string, Partial<OofSettings>]>([
    ['OofState 2 without EndTime', { oofState: 2, startTime: '2027-01-01T00:00:00.000Z' }],
    ['an unreadable StartTime', { oofState: 2, startTime: 'soon', endTime: '2027-01-01T00:00:00.000Z' }],
    ['EndTime equal to StartTime', { oofState: 2, startTime: '2027-01-01T00:00:00.000Z', endTime: '2027-01-01T00:00:00.000Z' }],
    ['a NUL in the reply', { oofState: 1, messages: [{ appliesTo: 'Internal', enabled: true, replyMessage: 'a\0b' }] }],
  ])('%s is InvalidArguments (5)', (_what, s) => {
    expect(set(s)).toMatchObject({ status: 5 });
  });
});

describe('vacation -> Oof Get', () => {
  it('off is OofState 0', () => {
    expect(oofGetFromVacation(undefined, 'Text')).toEqual({ oofState: 0, messages: [] });
  });

  it('a scheduled vacation is OofState 2 with its times and the external reply under both external audiences', () => {
    const g = oofGetFromVacation({ window: { start: new Date('2027-01-01T00:00:00Z'), end: new Date('2027-01-02T00:00:00Z') }, external: text('e') }, 'Text');
    expect(g).toEqual({
      oofState: 2,
      startTime: '2027-01-01T00:00:00.000Z',
      endTime: '2027-01-02T00:00:00.000Z',
      messages: [
        { appliesTo: 'Internal', enabled: false, replyMessage: '', bodyType: 'Text' },
        { appliesTo: 'ExternalKnown', enabled: true, replyMessage: 'e', bodyType: 'Text' },
        { appliesTo: 'ExternalUnknown', enabled: true, replyMessage: 'e', bodyType: 'Text' },
      ],
    });
  });

  it('converts between the stored and the asked BodyType', () => {
    const html = oofGetFromVacation({ external: { text: '<p>Away &amp; back</p>', html: true } }, 'Text');
    expect(html.messages[2]!.replyMessage).toBe('Away & back');
    const plain = oofGetFromVacation({ external: text('a < b\nc') }, 'HTML');
    expect(plain.messages[2]).toMatchObject({ replyMessage: 'a &lt; b<br>\r\nc', bodyType: 'HTML' });
  });

  it('the internal domain is the mailbox address domain', () => {
    expect(internalDomainOf('Alice@Example.TEST')).toBe('example.test');
    expect(internalDomainOf('alice')).toBeUndefined();
  });
});

describe('Settings handler, Oof part', () => {
  function context(store: VacationStore | undefined, lines: string[]): CommandContext<Services> {
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    return {
      mailbox: 'alice@example.test',
      password: 'pw',
      deviceId: 'D',
      deviceType: 'T',
      userAgent: undefined,
      protocolVersion: '14.1',
      params: {},
      policyKey: 0,
      log: pino({ level: 'info' }, sink),
      services: { vacation: store, repos: { mailboxes: { get: () => undefined } } } as unknown as Services,
      signal: { aborted: false, addEventListener() {}, removeEventListener() {} },
    };
  }
  const oofStatus = async (ctx: CommandContext<Services>, kind: 'Get' | 'Set') => {
    const req = kind === 'Get' ? { oof: { kind: 'Get' as const, bodyType: 'Text' } } : { oof: { kind: 'Set' as const, settings: { oofState: 1, messages: [{ appliesTo: 'ExternalUnknown' as const, enabled: true, replyMessage: 'x' }] } } };
    const res = await settingsHandler.handle(ctx, req);
    return Number(textOf(child(child(res.body!, 'Oof', 'Settings')!, 'Status', 'Settings')));
  };
  const failing = (code: BackendError['code']): VacationStore => ({
    getVacation: () => Promise.reject(new BackendError(code, 'boom')),
    setVacation: () => Promise.reject(new BackendError(code, 'boom')),
  });

  it('without ManageSieve, Get is off and Set AccessDenied (3)', async () => {
    expect(await oofStatus(context(undefined, []), 'Get')).toBe(1);
    expect(await oofStatus(context(undefined, []), 'Set')).toBe(3);
  });

  it('passes the mailbox domain as the internal domain', async () => {
    const calls: unknown[] = [];
    const store: VacationStore = { getVacation: async () => undefined, setVacation: async (_s, v, o) => void calls.push([v, o]) };
    expect(await oofStatus(context(store, []), 'Set')).toBe(1);
    expect(calls).toEqual([[{ external: text('x') }, { internalDomain: 'example.test' }]]);
  });

  it.each<[BackendError['code'], number]>([
    ['BackendUnavailable', 4],
    ['AuthFailed', 3],
    ['Invalid', 5],
  ])('a ManageSieve %s is Status %i with a log line', async (code, status) => {
    const lines: string[] = [];
    expect(await oofStatus(context(failing(code), lines), 'Get')).toBe(status);
    expect(await oofStatus(context(failing(code), lines), 'Set')).toBe(status);
    expect(lines.map((l) => JSON.parse(l) as { event: string; code: string })).toMatchObject([
      { event: 'settings.oof-managesieve-failed', code },
      { event: 'settings.oof-managesieve-failed', code },
    ]);
  });
});
