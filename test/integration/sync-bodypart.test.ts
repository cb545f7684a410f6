/**
 * BodyPartPreference (MS-ASAIRS 2.2.2.11, 14.1+): the Email item carries an
 * airsyncbase:BodyPart with Status 1 and the HTML message part (the whole
 * HTML body: no conversation trimming), truncated like a Body, beside the
 * Body the BodyPreference asked for. Through the real server and Dovecot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedMailbox, type SeedKind, type SeedResult } from '../../src/devstack/seed.ts';
import type { SyncOptions } from '../../protocol/commands/sync.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { child, childText, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { initialSync, setUpPhone, type ServerChange } from './sync-helpers.ts';

const stack = useStack();
let seeded: SeedResult;
const USER = 'bob@example.test';

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 20, folders: ['INBOX'], dav: false });
}, 120_000);
const server = useTestServer(stack);

interface BodyPartSeen {
  status?: string;
  type?: string;
  estimatedDataSize?: number;
  truncated?: string;
  data?: string;
  preview?: string;
}

/** The airsyncbase:BodyPart of an item, read from the wire tree (the typed item parser does not read it back). */
function bodyPartOf(data: WbxmlElement | undefined): BodyPartSeen | undefined {
  const bp = data ? child(data, 'BodyPart', 'AirSyncBase') : undefined;
  if (!bp) return undefined;
  const get = (n: string): string | undefined => childText(bp, n, 'AirSyncBase');
  const out: BodyPartSeen = {};
  for (const [k, n] of [['status', 'Status'], ['type', 'Type'], ['truncated', 'Truncated'], ['data', 'Data'], ['preview', 'Preview']] as const) {
    const v = get(n);
    if (v !== undefined) out[k] = v;
  }
  const size = get('EstimatedDataSize');
  if (size !== undefined) out.estimatedDataSize = Number(size);
  return out;
}

async function synced(version: ProtocolVersion, options: SyncOptions[]) {
  const c = server().client({ user: USER, version });
  const { byType } = await setUpPhone(c);
  const inbox = byType.get(2)!;
  const r = await initialSync(c, inbox, { windowSize: 50, options });
  return { c, inbox, syncKey: r.syncKey, changes: r.changes };
}

function ofKind(changes: readonly ServerChange[], kind: SeedKind): ServerChange {
  const m = seeded.messages.find((x) => x.kind === kind);
  const found = m && changes.find((x) => x.email?.subject === m.subject);
  if (!found) throw new Error(`no item for ${kind}`);
  return found;
}

const withPart = (part: SyncOptions['bodyPartPreferences'][number]): SyncOptions[] => [{ bodyPreferences: [{ type: 1, truncationSize: 50 }], bodyPartPreferences: [part] }];

describe('BodyPart (MS-ASAIRS 2.2.2.10)', () => {
  it('14.1: every item gets a BodyPart with Status 1 and the HTML part, beside the plain Body asked for', async () => {
    const { changes } = await synced('14.1', withPart({ type: 2 }));
    expect(changes.length).toBeGreaterThan(0);
    for (const x of changes) expect(bodyPartOf(x.data)?.status).toBe('1');
    const alt = ofKind(changes, 'alternative');
    const bp = bodyPartOf(alt.data)!;
    expect(bp.type).toBe('2');
    expect(bp.data).toMatch(/^<html><body><p>Hello,<\/p>/);
    expect(bp.truncated ?? '0').toBe('0');
    expect(bp.estimatedDataSize).toBe(Buffer.byteLength(bp.data!, 'utf8'));
    // The Body still follows BodyPreference: plain text cut at 50 bytes.
    expect(alt.email!.body!.type).toBe(1);
    expect(alt.email!.body!.truncated).toBe(true);
    expect(alt.email!.body!.data).not.toContain('<');
  }, 90_000);

  it('truncates the BodyPart at its TruncationSize and adds the Preview it asks for', async () => {
    const { changes } = await synced('16.1', withPart({ type: 2, truncationSize: 40, preview: 25 }));
    const bp = bodyPartOf(ofKind(changes, 'alternative').data)!;
    expect(bp.status).toBe('1');
    expect(Buffer.byteLength(bp.data ?? '', 'utf8')).toBeLessThanOrEqual(40);
    expect(bp.truncated).toBe('1');
    expect(bp.estimatedDataSize).toBeGreaterThan(40);
    expect(bp.preview).toMatch(/^Hello, this is message/);
    expect([...(bp.preview ?? '')].length).toBeLessThanOrEqual(25);
  }, 90_000);

  it('sends no Data under AllOrNone when the part would be cut', async () => {
    const { changes } = await synced('14.1', withPart({ type: 2, truncationSize: 40, allOrNone: true }));
    const bp = bodyPartOf(ofKind(changes, 'alternative').data)!;
    expect(bp.status).toBe('1');
    expect(bp.data).toBeUndefined();
    expect(bp.truncated).toBe('1');
  }, 90_000);

  it('comes with a Fetch inside Sync too, and not without BodyPartPreference', async () => {
    const { c, inbox, syncKey, changes } = await synced('14.1', withPart({ type: 2 }));
    const id = ofKind(changes, 'html').serverId;
    const res = await c.sync({ collections: [{ syncKey, collectionId: inbox, options: [], commands: [{ kind: 'Fetch', serverId: id }] }] });
    const col = child(child(res.body!, 'Collections', 'AirSync')!, 'Collection', 'AirSync')!;
    const fetched = child(child(col, 'Responses', 'AirSync')!, 'Fetch', 'AirSync')!;
    expect(childText(fetched, 'Status', 'AirSync')).toBe('1');
    const bp = bodyPartOf(child(fetched, 'ApplicationData', 'AirSync'))!;
    expect(bp.status).toBe('1');
    expect(bp.data).toContain('<b>HTML-only</b> mail number');
    const none = await synced('14.1', [{ bodyPreferences: [{ type: 2 }], bodyPartPreferences: [] }]);
    expect(none.changes.length).toBeGreaterThan(0);
    for (const x of none.changes) expect(bodyPartOf(x.data)).toBeUndefined();
  }, 120_000);
});
