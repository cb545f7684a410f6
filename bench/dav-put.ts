import type { Stack } from '../src/devstack/stack.ts';

/** PUTs `bodies` into a DAV collection as `<prefix><i><ext>`, eight at a time (seeding a benchmark's calendar or book). */
export async function putAll(stack: Stack, user: string, collection: string, bodies: readonly string[], kind: { prefix: string; ext: string; contentType: string }): Promise<void> {
  const auth = `Basic ${Buffer.from(`${user}:${stack.user(user).password}`).toString('base64')}`;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const i = next++;
      const res = await fetch(`${collection}${kind.prefix}${i}${kind.ext}`, { method: 'PUT', headers: { authorization: auth, 'content-type': kind.contentType }, body: bodies[i] });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${i}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
