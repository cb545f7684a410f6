import type { BackendErrorCode } from '../../backends/errors.ts';
import type { NewItem, NewItemsJob } from './new-items.ts';

/** Main thread -> item worker. */
export type WorkerRequest = { readonly type: 'build'; readonly id: number; readonly job: NewItemsJob } | { readonly type: 'close' };

/** Item worker -> main thread. `built` items' bytes are transferred, not copied. */
export type WorkerReply =
  | { readonly type: 'built'; readonly id: number; readonly items: readonly NewItem[] }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly name: string; readonly message: string; readonly code?: BackendErrorCode } }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'closed' };
