import type { FinishedExchange } from './session-files.ts';

/** workerData of the capture thread. */
export interface CaptureWorkerData {
  readonly dir: string;
}

/** Recorder -> capture thread. Bodies are copied (structured clone): the request's buffers stay the server's. */
export type CaptureRequest =
  /** `bytes`: the body bytes the recorder counts against its in-flight bound (the thread's pause queue counts the same). */
  | { readonly type: 'exchange'; readonly item: FinishedExchange; readonly bytes: number }
  | { readonly type: 'idle'; readonly id: number };

/** Capture thread -> recorder: one `done` per exchange (the recorder bounds what is in flight), write failures, idle answers. */
export type CaptureReply =
  | { readonly type: 'done' }
  | { readonly type: 'build-failed'; readonly mailbox: string; readonly message: string }
  | { readonly type: 'write-failed'; readonly owners: readonly number[]; readonly file: string; readonly code?: string; readonly message: string }
  | { readonly type: 'idle'; readonly id: number };
