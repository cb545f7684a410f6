/**
 * The mailbox of the mail benches (mail-sync, capture): BENCH_MAIL_COUNT
 * generated messages in INBOX, appended once and kept in BENCH_MAIL_DATA's
 * directory between runs when that is set.
 */
import { generateMessages } from '../src/devstack/seed.ts';
import type { Stack, StackUser } from '../src/devstack/stack.ts';

/** Appends `count` messages to INBOX unless it already holds them; returns the time it took (0 when kept). */
export async function seedBenchMailbox(stack: Stack, user: StackUser, count: number): Promise<number> {
  const t0 = performance.now();
  const probe = await stack.imapClient(user);
  const st = await probe.status('INBOX', { messages: true });
  const have = (st && st.messages) || 0;
  await probe.logout();
  if (have === count) return 0;
  if (have !== 0) throw new Error(`INBOX holds ${have} messages, not 0 or ${count}: remove BENCH_MAIL_DATA's directory`);
  const msgs = generateMessages({ count, seed: 7, owner: user.name });
  // Four connections append in parallel: seeding is not what is measured.
  const clients = await Promise.all([0, 1, 2, 3].map(() => stack.imapClient(user)));
  await Promise.all(
    clients.map(async (c, k) => {
      for (let i = k; i < msgs.length; i += clients.length) await c.append('INBOX', msgs[i]!.raw, [...msgs[i]!.flags], msgs[i]!.date);
    }),
  );
  await Promise.all(clients.map((c) => c.logout()));
  return performance.now() - t0;
}
