import type { BackendErrorCode } from '../../backends/errors.ts';
import type { NewItemsJob } from './new-items.ts';

/** Main thread -> item worker. */
export type WorkerRequest = { readonly type: 'build'; readonly id: number; readonly job: NewItemsJob } | { readonly type: 'close' };

/** Item worker -> main thread. `built` items point into `bytes` (transferred, not copied). */
export type WorkerReply =
  | {
      readonly type: 'built';
      readonly id: number;
      readonly items: readonly {
        readonly uid: number;
        readonly serverId: string;
        readonly flags: readonly string[];
        readonly internalDate: number;
        readonly offset: number;
        readonly length: number;
        readonly endPage: number;
      }[];
      readonly bytes: ArrayBuffer;
      readonly version: string;
    }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly code?: BackendErrorCode } }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'closed' };
