import type { Migration } from './types.ts';
import { migration001 } from './001-core.ts';
import { migration002 } from './002-sync.ts';
import { migration003 } from './003-push.ts';
import { migration004 } from './004-sent.ts';
import { migration005 } from './005-dav.ts';
import { migration006 } from './006-operators.ts';
import { migration007 } from './007-policy-sets.ts';
import { migration008 } from './008-capture.ts';

/**
 * Every schema migration, in order. Helpers add one line per migration
 * (002-sync, 003-push, ...); ids must be unique and increasing.
 */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008];

export type { Migration } from './types.ts';
