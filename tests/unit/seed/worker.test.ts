import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../src/seed/generator.ts';
import { TABLE_NAMES } from '../../../src/seed/schema.ts';
import { tsvStream } from '../../../src/seed/tsv.ts';
import { workerTsvStream } from '../../../src/seed/worker-tsv.ts';

async function text(s: Readable): Promise<string> {
  let out = '';
  for await (const c of s) out += String(c);
  return out;
}

describe('generation in a worker thread', { timeout: 60_000 }, () => {
  it.each(TABLE_NAMES)('%s: the same bytes as in the main thread', async (table) => {
    const opts = { seed: 11, rows: 2500 };
    let counted = 0;
    const fromWorker = await text(
      workerTsvStream(table, { ...opts, chunkRows: 1000, onRows: (n) => (counted += n) }),
    );
    const inline = await text(tsvStream(rowsOf(table, opts)));
    expect(fromWorker).toBe(inline);
    expect(counted).toBe(2500);
  });

  it('stops when the signal fires', async () => {
    const ac = new AbortController();
    // aborted once the first rows came back, so mid-way through the million, whatever the machine's speed
    const stream = workerTsvStream('pinterest_data', {
      seed: 1,
      rows: 1_000_000,
      signal: ac.signal,
      onRows: () => ac.abort(new Error('stop')),
    });
    await expect(text(stream)).rejects.toThrow('stop');
  });
});
