/**
 * The directory half of the services (issue 10): the GAL (a shared CardDAV
 * book or LDAP), the user's own address books as a recipient source, and
 * CalDAV free/busy, built from the configuration. Password files are read
 * here, once, at start.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { CardDavContacts } from '../../backends/directory/carddav-contacts.ts';
import { CardDavGal } from '../../backends/directory/carddav-gal.ts';
import { LdapDirectory } from '../../backends/directory/ldap.ts';
import type { Directory } from '../../backends/directory/types.ts';
import { CalDavFreeBusy } from '../../backends/dav/free-busy.ts';
import type { DavStore, UserSession } from '../../backends/types.ts';
import { ConfigError, type Config } from '../config.ts';

/** What Search and ResolveRecipients use; each part absent when not configured. */
export interface DirectoryServices {
  /** The GAL (EAS_GAL_CARDDAV_URL or EAS_GAL_LDAP_URL). */
  readonly directory?: Directory;
  /** The user's own CardDAV address books (EAS_CARDDAV_URL). */
  readonly contacts?: CardDavContacts;
  /** Other users' free/busy on EAS_CALDAV_URL. */
  readonly freeBusy?: CalDavFreeBusy;
}

function password(key: string, file: string): string {
  try {
    // One trailing newline is how editors and `echo` leave such a file.
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(key, `cannot read ${file}: ${(e as Error).message}`);
  }
}

/** Builds the directory services described by `config`; `dav` is the user DAV client (contacts). */
export function createDirectoryServices(config: Config, dav: DavStore | undefined, log: Logger): DirectoryServices {
  const dlog = log.child({ component: 'directory' });
  const service: UserSession | undefined = config.directoryService
    ? { user: config.directoryService.user, password: password('EAS_GAL_PASSWORD_FILE', config.directoryService.passwordFile) }
    : undefined;
  const refreshMs = config.directoryRefreshSeconds * 1000;
  const d = config.directory;
  let directory: Directory | undefined;
  if (d?.kind === 'carddav') {
    directory = new CardDavGal({ url: d.url, ...(d.useService && service ? { service } : {}), refreshMs, log: dlog });
  } else if (d?.kind === 'ldap') {
    directory = new LdapDirectory({
      url: d.url,
      base: d.base,
      ...(d.bind ? { bindDn: d.bind.dn, password: password('EAS_GAL_LDAP_PASSWORD_FILE', d.bind.passwordFile) } : {}),
      sizeLimit: d.sizeLimit,
      log: dlog,
    });
  }
  return {
    ...(directory ? { directory } : {}),
    ...(dav && config.carddavUrl ? { contacts: new CardDavContacts({ dav, refreshMs, log: dlog }) } : {}),
    ...(config.caldavUrl ? { freeBusy: new CalDavFreeBusy({ caldavUrl: config.caldavUrl, ...(service ? { service } : {}) }) } : {}),
  };
}
