import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { GenWorkerData, GenWorkerMessage } from './gen-worker.ts';
import type { TableName } from './schema.ts';
import type { Sink } from './tsv.ts';

/**
 * Like tsvStream, but the rows are generated in a worker thread (src/seed/gen-worker.ts), so the three
 * tables are generated in parallel with each other and with the main thread's socket work. Same
 * bytes as tsvStream: the worker runs the same generator and formatter.
 */
export function workerTsvStream(
  table: TableName,
  opts: {
    seed: number;
    rows: number;
    chunkRows?: number;
    onRows?: (n: number) => void;
    signal?: AbortSignal;
    sink?: Sink;
    maxBufferedBytes?: number;
    /** Chunks the worker may generate ahead of the socket. */
    ahead?: number;
  },
): Readable {
  const maxBuffered = opts.maxBufferedBytes ?? 4 << 20;
  const data: GenWorkerData = { table, seed: opts.seed, rows: opts.rows, chunkRows: opts.chunkRows ?? 1000 };
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: data });
  const queue: Array<{ text: string; rows: number }> = [];
  let ended = false;
  let wanted = false;
  let awaitingDrain = false;

  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      wanted = true;
      pump();
    },
    destroy(err, callback) {
      void worker.terminate().finally(() => callback(err));
    },
  });

  function pump(): void {
    if (stream.destroyed) return;
    if (opts.signal?.aborted) {
      stream.destroy(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
      return;
    }
    if (!wanted) return;
    if (opts.sink && opts.sink.writableLength > maxBuffered) {
      if (!awaitingDrain) {
        awaitingDrain = true;
        opts.sink.once('drain', () => {
          awaitingDrain = false;
          pump();
        });
      }
      return;
    }
    const chunk = queue.shift();
    if (chunk) {
      wanted = false;
      worker.postMessage(1);
      opts.onRows?.(chunk.rows);
      stream.push(chunk.text);
    } else if (ended) {
      wanted = false;
      stream.push(null);
    }
  }

  worker.on('message', (m: GenWorkerMessage) => {
    if ('end' in m) ended = true;
    else queue.push(m);
    pump();
  });
  worker.on('error', (err) => stream.destroy(err));
  worker.on('exit', (code) => {
    if (!ended && !stream.destroyed)
      stream.destroy(new Error(`the ${table} generator worker exited with code ${code}`));
  });
  opts.signal?.addEventListener('abort', () => pump(), { once: true });
  worker.postMessage(opts.ahead ?? 4);
  return stream;
}
