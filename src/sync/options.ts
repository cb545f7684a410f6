import type { BodyPreference } from '../../protocol/commands/body-preference.ts';
import type { SyncCollectionRequest, SyncOptions } from '../../protocol/commands/sync.ts';

/**
 * The options of one collection as the engine applies them, kept between
 * requests: a device sends Options once and later requests without them
 * mean "as before" (MS-ASCMD 2.2.3.125.6).
 */
export interface CollectionOptions {
  readonly filterType: number;
  readonly bodyPreferences: readonly BodyPreference[];
  readonly bodyPartPreferences: readonly BodyPreference[];
  /** 0 never, 1 S/MIME messages only, 2 always (MS-ASCMD 2.2.3.110.3). */
  readonly mimeSupport: number;
  /** MS-ASCMD 2.2.3.111, 0..8. */
  readonly mimeTruncation?: number;
  /** 2.5 body Truncation, 0..9 (MS-ASCMD 2.2.3.185). */
  readonly truncation?: number;
  /** 0 client wins, 1 server wins (MS-ASCMD 2.2.3.34; default 1). */
  readonly conflict: number;
  readonly windowSize: number;
}

/** MS-ASCMD 2.2.3.199: WindowSize 1..512, default 100. */
export const DEFAULT_WINDOW_SIZE = 100;
export const MAX_WINDOW_SIZE = 512;

export const DEFAULT_OPTIONS: CollectionOptions = {
  filterType: 0,
  bodyPreferences: [],
  bodyPartPreferences: [],
  mimeSupport: 0,
  conflict: 1,
  windowSize: DEFAULT_WINDOW_SIZE,
};

/** The Options block that applies to the collection's class: the one without Class or with that Class (SMS options in a mail folder are ignored). */
function classOptions(opts: readonly SyncOptions[], cls: string): SyncOptions | undefined {
  return opts.find((o) => o.class === undefined || o.class === cls);
}

/** Stored options updated by what this request says; absent Options keep the stored ones. */
export function mergeOptions(stored: CollectionOptions | undefined, req: SyncCollectionRequest, cls = 'Email'): CollectionOptions {
  const base = stored ?? DEFAULT_OPTIONS;
  const o = classOptions(req.options, cls);
  const win = req.windowSize;
  const windowSize = win === undefined ? base.windowSize : win <= 0 ? DEFAULT_WINDOW_SIZE : Math.min(win, MAX_WINDOW_SIZE);
  if (!o) return { ...base, windowSize };
  return {
    filterType: o.filterType ?? 0,
    bodyPreferences: o.bodyPreferences,
    bodyPartPreferences: o.bodyPartPreferences,
    mimeSupport: o.mimeSupport ?? 0,
    ...(o.mimeTruncation !== undefined ? { mimeTruncation: o.mimeTruncation } : {}),
    ...(o.truncation !== undefined ? { truncation: o.truncation } : {}),
    conflict: o.conflict ?? 1,
    windowSize,
  };
}

const DAY = 86_400_000;
/** FilterType -> days back (MS-ASCMD 2.2.3.68.2); 0 and 8 (tasks) mean no date limit for mail. */
const FILTER_DAYS: Readonly<Record<number, number>> = { 1: 1, 2: 3, 3: 7, 4: 14, 5: 31, 6: 93, 7: 186 };

/** The oldest INTERNALDATE inside the FilterType window, or undefined for "all". */
export function filterSince(filterType: number, now = Date.now()): Date | undefined {
  const days = FILTER_DAYS[filterType];
  return days === undefined ? undefined : new Date(now - days * DAY);
}

/** MS-ASCMD 2.2.3.111 MIMETruncation -> characters (undefined = whole). */
export function mimeTruncationSize(v: number | undefined): number | undefined {
  const table = [0, 4096, 5120, 7168, 10240, 20480, 51200, 102400];
  return v === undefined || v >= 8 ? undefined : table[v];
}

/** 2.5 Truncation (MS-ASCMD 2.2.3.185) -> characters (undefined = whole). */
export function legacyTruncationSize(v: number | undefined): number | undefined {
  const table = [0, 512, 1024, 2048, 5120, 10240, 20480, 51200, 102400];
  return v === undefined || v >= 9 ? undefined : table[v];
}
