import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { child, childText, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { provisionRequest } from '../../src/client/requests.ts';
import { adminMain } from '../../src/cli/admin.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(stack(), { enable: ['alice@example.test'] });
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const status = (e: WbxmlElement | undefined): string | undefined => (e ? childText(e, 'Status') : undefined);
const policyOf = (e: WbxmlElement | undefined): WbxmlElement | undefined => {
  const policies = e && child(e, 'Policies', 'Provision');
  return policies && child(policies, 'Policy', 'Provision');
};
const admin = (...argv: string[]): number => adminMain(['--db', server.dbFile, ...argv], () => {}, () => {});

describe.each(['12.1', '14.1', '16.1'] as const)('provisioning, protocol %s', (version) => {
  const modern = version !== '12.1';

  it(`commands before Provision get ${modern ? 'Status 142' : 'HTTP 449'}`, async () => {
    const res = await server.client({ version }).folderSync('0');
    if (modern) {
      expect(res.response.status).toBe(200);
      expect(res.status).toBe(142);
    } else {
      expect(res.response.status).toBe(449);
    }
  });

  it('the two-phase handshake: policy + temporary key, then the final key after the acknowledgement', async () => {
    const c = server.client({ version });
    const first = await c.command('Provision', provisionRequest({ policyType: 'MS-EAS-Provisioning-WBXML', ...(modern ? { deviceInformation: { model: 'Test 1', os: 'TestOS 1' } } : {}) }, version));
    expect(first.status).toBe(200);
    expect(status(first.body)).toBe('1');
    const policy = policyOf(first.body)!;
    expect(childText(policy, 'PolicyType')).toBe('MS-EAS-Provisioning-WBXML');
    expect(childText(policy, 'Status')).toBe('1');
    const doc = child(child(policy, 'Data')!, 'EASProvisionDoc');
    expect(childText(doc!, 'DevicePasswordEnabled')).toBe('0');
    const temp = Number(childText(policy, 'PolicyKey'));
    expect(temp).toBeGreaterThan(0);

    // The temporary key does not open other commands.
    c.policyKey = temp;
    const early = await c.folderSync('0');
    if (modern) expect(early.status).toBe(144);
    else expect(early.response.status).toBe(449);

    const second = await c.command('Provision', provisionRequest({ policyType: 'MS-EAS-Provisioning-WBXML', policyKey: temp, status: 1 }, version));
    const final = Number(childText(policyOf(second.body)!, 'PolicyKey'));
    expect(final).toBeGreaterThan(0);
    expect(final).not.toBe(temp);
    c.policyKey = final;
    const fs = await c.folderSync('0');
    expect(fs.status).toBe(1);
    const row = server.services.repos.devices.get('alice@example.test', c.opts.deviceId)!;
    expect(row.policyKey).toBe(final);
    expect(row.protocolVersion).toBe(version);
    if (modern) {
      expect(row.info.model).toBe('Test 1');
      expect(child(first.body!, 'DeviceInformation', 'Settings')).toBeDefined();
    }
  });

  it(`a wrong policy key after provisioning gets ${modern ? 'Status 144' : 'HTTP 449'}`, async () => {
    const c = server.client({ version });
    await c.provision();
    c.policyKey = c.policyKey + 1;
    const res = await c.folderSync('0');
    if (modern) expect(res.status).toBe(144);
    else expect(res.response.status).toBe(449);
  });

  it('Settings works before Provision: DeviceInformation stored, UserInformation gives the address', async () => {
    const c = server.client({ version });
    const res = await c.settings({ deviceInformation: { model: 'Pixel Test', friendlyName: 'My phone', os: 'Android 15' }, userInformation: true });
    expect(res.status).toBe(200);
    expect(status(res.body)).toBe('1');
    const row = server.services.repos.devices.get('alice@example.test', c.opts.deviceId)!;
    expect(row.info).toMatchObject({ model: 'Pixel Test', friendlyName: 'My phone', os: 'Android 15' });
    expect(res.raw.includes(Buffer.from('alice@example.test'))).toBe(true);
  });

  it(`a remote wipe ordered with eas-admin is carried out through Provision`, async () => {
    const c = server.client({ version });
    await c.provision();
    expect(admin('device', 'wipe', 'alice@example.test', c.opts.deviceId)).toBe(0);
    const blocked = await c.folderSync('0');
    if (modern) expect(blocked.status).toBe(140);
    else expect(blocked.response.status).toBe(449);
    const p = await c.provision();
    expect(p.remoteWipe).toBe(true);
    const ack = await c.acknowledgeWipe();
    expect(status(ack.body)).toBe('1');
    expect(server.services.repos.devices.get('alice@example.test', c.opts.deviceId)!.wipeStatus).toBe('done');
    // Refused from now on: Status 129 (DeviceIsBlockedForThisUser) from 14.0, HTTP 403 before.
    const after = await c.folderSync('0');
    if (modern) expect([after.response.status, after.status]).toEqual([200, 129]);
    else expect(after.response.status).toBe(403);
  });
});

describe('provisioning details', () => {
  it('16.1 account-only wipe is ordered with AccountOnlyRemoteWipe and acknowledged', async () => {
    const c = server.client({ version: '16.1' });
    await c.provision();
    expect(admin('device', 'wipe', 'alice@example.test', c.opts.deviceId, '--account-only')).toBe(0);
    const p = await c.provision();
    expect(p.accountOnlyRemoteWipe).toBe(true);
    expect(p.remoteWipe).toBe(false);
    await c.acknowledgeWipe(true);
    expect(server.services.repos.devices.get('alice@example.test', c.opts.deviceId)!.wipeStatus).toBe('done');
  });

  it('2.5 gets the policy as MS-WAP-Provisioning-XML', async () => {
    const c = server.client({ version: '2.5' });
    const first = await c.command('Provision', provisionRequest({ policyType: 'MS-WAP-Provisioning-XML' }, '2.5'));
    const policy = policyOf(first.body)!;
    expect(childText(policy, 'PolicyType')).toBe('MS-WAP-Provisioning-XML');
    expect(childText(policy, 'Data')).toContain('<wap-provisioningdoc>');
    const p = await c.provision();
    expect(p.policyKey).toBeGreaterThan(0);
  });

  it('a blocked device gets Status 129 (HTTP 403 at 12.1) until allowed again', async () => {
    const c = server.client({ version: '14.1' });
    await c.provision();
    expect(admin('device', 'block', 'alice@example.test', c.opts.deviceId)).toBe(0);
    expect((await c.folderSync('0')).status).toBe(129);
    const old = server.client({ version: '12.1' });
    await old.provision();
    expect(admin('device', 'block', 'alice@example.test', old.opts.deviceId)).toBe(0);
    expect((await old.folderSync('0')).response.status).toBe(403);
    expect(admin('device', 'allow', 'alice@example.test', c.opts.deviceId)).toBe(0);
    expect((await c.folderSync('0')).status).toBe(1);
  });

  it('a changed policy after a restart asks provisioned devices to refresh (Status 143), keeping the device', async () => {
    const c = server.client({ version: '14.1' });
    await c.provision();
    expect((await c.folderSync('0')).status).toBe(1);
    const s = stack();
    const again = await startTestServer(s, { dbFile: server.dbFile, enable: [], env: { EAS_POLICY_PASSWORD_REQUIRED: true } });
    try {
      const c2 = again.client({ version: '14.1', deviceId: c.opts.deviceId });
      c2.policyKey = c.policyKey;
      expect((await c2.folderSync('0')).status).toBe(143);
      await c2.provision();
      expect((await c2.folderSync('0')).status).toBe(1);
    } finally {
      await again.stop();
    }
  });
});
