import { parentPort, workerData } from 'node:worker_threads';
import { rowsOf } from './generator.ts';
import type { TableName } from './schema.ts';
import { tsvChunk } from './tsv.ts';

/**
 * Generates one table's LOAD DATA text in a worker thread (src/seed/worker-tsv.ts is the other side).
 * Flow control by credits: the main thread grants one chunk per message, so at most a few chunks are
 * ever in flight and memory stays flat.
 */
export interface GenWorkerData {
  table: TableName;
  seed: number;
  rows: number;
  chunkRows: number;
}

export type GenWorkerMessage = { text: string; rows: number } | { end: true };

const { table, seed, rows, chunkRows } = workerData as GenWorkerData;
const port = parentPort!;
const source = rowsOf(table, { seed, rows });
let credits = 0;
let finished = false;

port.on('message', (grant: number) => {
  credits += grant;
  while (credits > 0 && !finished) {
    credits--;
    const chunk = tsvChunk(source, chunkRows);
    if (chunk.rows > 0) port.postMessage(chunk satisfies GenWorkerMessage);
    if (chunk.rows < chunkRows) {
      finished = true;
      port.postMessage({ end: true } satisfies GenWorkerMessage);
      port.close();
    }
  }
});
