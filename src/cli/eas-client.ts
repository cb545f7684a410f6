/**
 * eas-client: the project's EAS client on the command line, to check a
 * server as a phone would (after `npm run demo`, or against any EAS server).
 *
 *   eas-client --url URL --user U --password P [--version 16.1] [--device ID] [--insecure] COMMAND
 *     folders          Provision + FolderSync: one line per folder (id, type, name)
 *     sync FOLDER      initial Sync of a folder (name or id): one line per item
 *     gal PREFIX       Search the GAL (Store GAL, Range 0-9): one line per entry
 *     search WORDS     Search the mailbox (Store Mailbox, every folder, Range 0-19): one line per message
 *     find KQL         Find (16.1) in the mailbox with a KQL query, e.g. 'invoice from:ann': one line per message
 *
 * Exit 0 on success, 1 when the server answers with an error status, 2 on
 * bad arguments or an unreachable server.
 */
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import { contactFromApplicationData } from '../../protocol/types/contact.ts';
import { taskFromApplicationData } from '../../protocol/types/task.ts';
import { isProtocolVersion, type ProtocolVersion } from '../../protocol/version.ts';
import { child, childText, childrenNamed, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { EasClient } from '../client/eas-client.ts';
import { findRequest, mailboxSearchRequest, readFind, readMailboxSearch, searchCondition } from '../client/search-requests.ts';
import { initialSync, type ServerChange } from '../client/sync-session.ts';
import { parseArgs } from './args.ts';

const USAGE = `usage: eas-client --url URL --user U --password P [--version 16.1] [--device ID] [--insecure] COMMAND
  folders          Provision + FolderSync: one line per folder (id, type, name)
  sync FOLDER      initial Sync of a folder (display name or id): one line per item
  gal PREFIX       Search the GAL: one line per entry
  search WORDS     Search the mailbox (all folders): one line per message
  find KQL         Find in the mailbox (16.1), e.g. 'invoice from:ann received>=2026-01-01'`;

class UsageError extends Error {}
class ServerError extends Error {}

const day = (d: Date | undefined): string => (d ? d.toISOString().replace(':00.000Z', 'Z') : '-');

/** One line per item, by the folder's class (MS-ASCMD 2.2.3.186.3 folder types). */
function describeItem(type: number, c: ServerChange, version: ProtocolVersion): string {
  if (!c.data) return `${c.kind} ${c.serverId}`;
  if (type === 8 || type === 13) {
    const e = calendarFromApplicationData(c.data, version);
    return `${c.kind} ${c.serverId}  ${day(e.startTime)} .. ${day(e.endTime)}${e.allDayEvent ? ' (all day)' : ''}${e.recurrence ? ' (recurring)' : ''}  ${e.subject ?? ''}`;
  }
  if (type === 7 || type === 15) {
    const t = taskFromApplicationData(c.data, version);
    return `${c.kind} ${c.serverId}  [${t.complete ? 'x' : ' '}] due ${day(t.dueDate)}  ${t.subject ?? ''}`;
  }
  if (type === 9 || type === 14) {
    const p = contactFromApplicationData(c.data, version);
    return `${c.kind} ${c.serverId}  ${p.fileAs ?? [p.firstName, p.lastName].filter(Boolean).join(' ')}  ${p.email1Address ?? ''}`;
  }
  return `${c.kind} ${c.serverId}  ${c.email?.dateReceived ? day(c.email.dateReceived) : ''}  ${c.email?.from ?? ''}  ${c.email?.subject ?? ''}`;
}

async function folders(c: EasClient): Promise<{ serverId: string; type: number; displayName: string }[]> {
  await c.provision();
  const fs = await c.folderSync('0');
  if (fs.status !== 1) throw new ServerError(`FolderSync Status ${fs.status ?? `HTTP ${fs.response.status}`}`);
  return fs.adds;
}

async function gal(c: EasClient, prefix: string): Promise<string[]> {
  await c.provision();
  const body = el('Search', 'Search', [el('Search', 'Store', [el('Search', 'Name', 'GAL'), el('Search', 'Query', prefix), el('Search', 'Options', [el('Search', 'Range', '0-9')])])]);
  const res = await c.command('Search', body);
  if (res.status !== 200 || !res.body) throw new ServerError(`Search: HTTP ${res.status}`);
  const response = child(res.body, 'Response', 'Search');
  const store = response && child(response, 'Store', 'Search');
  const status = (store && childText(store, 'Status', 'Search')) ?? childText(res.body, 'Status', 'Search');
  if (!store || status !== '1') throw new ServerError(`Search Status ${status}`);
  const prop = (p: WbxmlElement | undefined, name: string): string => (p && childText(p, name, 'GAL')) ?? '';
  return childrenNamed(store, 'Result', 'Search').map((r: WbxmlElement) => {
    const p = child(r, 'Properties', 'Search');
    return `${prop(p, 'DisplayName')}  <${prop(p, 'EmailAddress')}>  ${prop(p, 'Title')}`;
  });
}

/** Search Store Mailbox or Find: one line per hit and a closing count. */
async function mailboxSearch(c: EasClient, how: 'search' | 'find', query: string): Promise<string[]> {
  await c.provision();
  const res = how === 'search' ? await c.command('Search', mailboxSearchRequest([searchCondition.freeText(query)], { range: '0-19' })) : await c.command('Find', findRequest({ query, range: '0-19' }));
  if (res.status !== 200 || !res.body) throw new ServerError(`${how === 'search' ? 'Search' : 'Find'}: HTTP ${res.status}`);
  const a = how === 'search' ? readMailboxSearch(res.body) : readFind(res.body);
  if (a.status !== 1 || a.storeStatus !== 1) throw new ServerError(`${how === 'search' ? 'Search' : 'Find'} Status ${a.storeStatus ?? a.status}`);
  const lines = a.hits.map((h) => `${h.collectionId ?? '-'}  ${h.dateReceived ?? ''}  ${h.from ?? ''}  ${h.subject ?? ''}`);
  lines.push(`${a.hits.length} of ${a.total ?? a.hits.length} messages`);
  return lines;
}

async function run(argv: string[]): Promise<number> {
  const { positional, options } = parseArgs(argv, ['url', 'user', 'password', 'version', 'device']);
  if (options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const opt = (name: string): string => {
    const v = options.get(name);
    if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
    return v;
  };
  const version = (options.get('version') as string | undefined) ?? '16.1';
  if (!isProtocolVersion(version)) throw new UsageError(`unknown --version ${version}`);
  const client = new EasClient({
    baseUrl: opt('url').replace(/\/Microsoft-Server-ActiveSync\/?$/i, ''),
    user: opt('user'),
    password: opt('password'),
    deviceId: (options.get('device') as string | undefined) ?? `eascli${version.replace('.', '')}`,
    deviceType: 'EasCli',
    version,
    insecureTls: options.has('insecure'),
  });
  const [command, arg, ...rest] = positional;
  if (rest.length > 0) throw new UsageError('too many arguments');
  if (command === 'folders' && !arg) {
    for (const f of await folders(client)) console.log(`${f.serverId}\t${f.type}\t${f.displayName}`);
    return 0;
  }
  if (command === 'sync' && arg) {
    const all = await folders(client);
    const f = all.find((x) => x.serverId === arg) ?? all.find((x) => x.displayName === arg);
    if (!f) throw new ServerError(`no folder named ${JSON.stringify(arg)} (see: eas-client folders)`);
    const r = await initialSync(client, f.serverId);
    for (const c of r.changes) console.log(describeItem(f.type, c, version));
    console.log(`${r.changes.length} items from ${f.displayName} (${r.rounds} windows, SyncKey ${r.syncKey})`);
    return 0;
  }
  if (command === 'gal' && arg !== undefined) {
    const lines = await gal(client, arg);
    for (const l of lines) console.log(l);
    console.log(`${lines.length} entries`);
    return 0;
  }
  if ((command === 'search' || command === 'find') && arg) {
    for (const l of await mailboxSearch(client, command, arg)) console.log(l);
    return 0;
  }
  throw new UsageError(command ? `unknown command or missing argument: ${command}` : 'no command');
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`eas-client: ${e.message}\n${USAGE}`);
    else console.error(`eas-client: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(e instanceof ServerError || (e instanceof Error && /Status/.test(e.message)) ? 1 : 2);
  },
);
