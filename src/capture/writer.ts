/**
 * Appends exchanges to capture files (src/capture/format.ts) so that a file
 * is valid JSON after every write, whatever happens to the write:
 *
 * - a new file is written whole to a temporary name and renamed into place;
 * - an existing file ends with a fixed tail (`\n  ]\n}\n`); new exchanges
 *   are written over that tail followed by the tail again, and a failed
 *   write (ENOSPC, EIO) is rolled back by truncating to where the tail was
 *   and writing it again (which needs no new disk block).
 *
 * Appending in place costs the size of the new exchanges, not of the file,
 * so a day of a busy phone does not rewrite megabytes per request. Only a
 * crash in the middle of one write(2) can leave a file unfinished.
 * Exchanges queued for a file while a write is in flight go out together in
 * the next write. All I/O is fs.promises (the libuv pool), off the event loop.
 */
import { open, mkdir, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

const TAIL = '\n  ]\n}\n';
const SEP = ',\n    ';

/** What a capture file says before its exchanges. */
export interface CaptureHeader {
  readonly [field: string]: unknown;
}

/** An exchange already serialised, and whose recording it belongs to (for the failure report). */
interface Pending {
  readonly json: string;
  readonly owner: number;
}

interface FileQueue {
  header: CaptureHeader;
  pending: Pending[];
  writing: boolean;
}

/** Why a write failed, and which recordings had exchanges in it. */
export type WriteFailure = (owners: readonly number[], file: string, err: NodeJS.ErrnoException) => void;

export class CaptureWriter {
  readonly #files = new Map<string, FileQueue>();
  #tmp = 0;
  #idle: (() => void)[] = [];

  constructor(private readonly onFailure: WriteFailure) {}

  /** Queues one serialised exchange for `file`; `header` is used if the file has to be created. */
  append(file: string, header: CaptureHeader, json: string, owner: number): void {
    let q = this.#files.get(file);
    if (!q) this.#files.set(file, (q = { header, pending: [], writing: false }));
    q.pending.push({ json, owner });
    if (!q.writing) void this.#flush(file, q);
  }

  /** Resolves once every queued exchange has been written (or has failed). */
  idle(): Promise<void> {
    if (this.#files.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #flush(file: string, q: FileQueue): Promise<void> {
    q.writing = true;
    while (q.pending.length > 0) {
      const batch = q.pending;
      q.pending = [];
      try {
        await this.#write(file, q.header, batch.map((p) => p.json));
      } catch (err) {
        this.onFailure([...new Set(batch.map((p) => p.owner))], file, err as NodeJS.ErrnoException);
      }
    }
    q.writing = false;
    this.#files.delete(file);
    if (this.#files.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #write(file: string, header: CaptureHeader, entries: string[]): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return this.#create(file, header, entries);
    }
    try {
      const { size } = await fh.stat();
      const end = Buffer.alloc(Math.min(size, TAIL.length + 1));
      await fh.read(end, 0, end.length, size - end.length);
      const text = end.toString('utf8');
      // Not a file this writer finished (edited by hand, another tool): never write into it.
      if (!text.endsWith(TAIL)) throw Object.assign(new Error(`${file} does not end as a capture file written by eas-server`), { code: 'EBADCAPTURE' });
      const empty = text.startsWith('[');
      const at = size - TAIL.length;
      const data = Buffer.from(`${empty ? '\n    ' : SEP}${entries.join(SEP)}${TAIL}`, 'utf8');
      try {
        await writeAll(fh, data, at);
      } catch (err) {
        // Put the tail back where it was: the file is again what it was before this write.
        await fh.truncate(at).catch(() => undefined);
        await writeAll(fh, Buffer.from(TAIL), at).catch(() => undefined);
        throw err;
      }
    } finally {
      await fh.close();
    }
  }

  async #create(file: string, header: CaptureHeader, entries: string[]): Promise<void> {
    await mkdir(dirname(file), { recursive: true });
    const head = JSON.stringify({ ...header, exchanges: [] }, null, 2);
    // `..."exchanges": []\n}` becomes `..."exchanges": [` followed by the entries and the tail.
    const data = `${head.slice(0, head.lastIndexOf('[]'))}[\n    ${entries.join(SEP)}${TAIL}`;
    const tmp = `${file}.${process.pid}.${this.#tmp++}.tmp`;
    try {
      const fh = await open(tmp, 'wx');
      try {
        await writeAll(fh, Buffer.from(data, 'utf8'), 0);
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
  }
}

/** write(2) until every byte is written: a short write on a full disk is a failure, not a partial success. */
async function writeAll(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    if (bytesWritten === 0) throw Object.assign(new Error('no byte written'), { code: 'ENOSPC' });
    off += bytesWritten;
  }
}
