import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { createMysqlPool } from '../clients/mysql.ts';
import { proxyAuthHeaders } from './target.ts';
import { normaliseOptions } from './options.ts';
import { FAITHFUL_MAX_SLEEP_MS } from './options.ts';
import { blockSize, chunk, rateDelay } from './plan.ts';
import { deriveSeed, drawInds, mulberry32 } from './prng.ts';
import { createSender } from './sender.ts';
import { fetchRows, sourceSize, type FetchedRows } from './source.ts';
import { Tally } from './tally.ts';
import { resolveTarget } from './target.ts';
import {
  TOPIC_KEYS,
  type EmulatorOptions,
  type EmulatorProgress,
  type EmulatorSummary,
  type RecordValue,
} from './types.ts';

/** Posts per MySQL fetch in fast mode (three `IN (...)` queries per block). */
const FETCH_BLOCK_POSTS = 256;
/**
 * Blocks fetched ahead of the one being sent: with one, a block of `--batch 100` requests was queued
 * faster than MySQL answered the next, and the sending waited on MySQL.
 */
const FETCH_AHEAD_BLOCKS = 2;

/**
 * The user posting emulator: draws random inds in [1, N], reads the three rows of each with
 * parameterised SQL and posts them to `<url>/topics/<id>.{pin,geo,user}` in the Confluent v2 JSON format.
 * Returns the summary; records that still failed after retries are counted there (the CLI turns them
 * into EMULATOR_FAILED). MySQL trouble stops the run at once with SOURCE_UNREACHABLE.
 */
export async function runEmulator(opts: EmulatorOptions): Promise<EmulatorSummary> {
  const o = normaliseOptions(opts);
  const { profile, signal } = opts;
  const headers = opts.apiKey ? { 'x-api-key': opts.apiKey } : proxyAuthHeaders(profile);
  const url = opts.url ?? (await resolveTarget(profile, {})).url;
  const pool = createMysqlPool(profile, { connectionLimit: 4 });
  const sender = createSender({ baseUrl: url, connections: o.concurrency, retry: o.retry, headers });
  const tally = new Tally(profile);
  const pick = mulberry32(o.seed);
  const naps = mulberry32(deriveSeed(o.seed, 1));
  const limit = pLimit(o.concurrency);
  const inflight = new Set<Promise<void>>();
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let stopReason: EmulatorSummary['stopReason'] | undefined;
  let sourceRows: number | undefined;

  const progress = () =>
    opts.onProgress?.({
      postsSent: tally.posts,
      recordsAcknowledged: tally.acknowledged,
      recordsFailed: tally.failed,
      elapsedMs: elapsed(),
      topics: Object.fromEntries(
        TOPIC_KEYS.map((k) => {
          const t = tally.topics[k];
          return [k, { acknowledged: t.acknowledged, failed: t.failed, resent: t.resent ?? 0 }];
        }),
      ) as EmulatorProgress['topics'],
    });

  /** Why to stop before the next post, if any. */
  const shouldStop = (): EmulatorSummary['stopReason'] | undefined => {
    if (signal?.aborted) return 'interrupted';
    if (tally.consecutiveFailures >= o.maxConsecutiveFailures) return 'failures';
    if (o.count !== undefined && tally.posts >= o.count) return 'count';
    if (o.durationMs !== undefined && elapsed() >= o.durationMs) return 'duration';
    return undefined;
  };

  const dispatch = (key: (typeof TOPIC_KEYS)[number], values: RecordValue[]) => {
    const p = limit(async () => {
      const result = await sender.send(tally.topics[key].topic, values, signal);
      tally.record(key, values, result);
      progress();
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  /** The next blocks' inds and their rows, oldest first, fetched while the block before them is sent. */
  const ahead: Array<{ inds: number[]; rows: Promise<FetchedRows> }> = [];
  /** Posts of every block drawn so far. */
  let drawnPosts = 0;
  const drawBlock = (rows: number) => {
    const remaining = o.count === undefined ? Number.MAX_SAFE_INTEGER : o.count - drawnPosts;
    const size = o.mode === 'faithful' ? 1 : blockSize(o.batch, remaining, FETCH_BLOCK_POSTS);
    if (size <= 0) return undefined;
    drawnPosts += size;
    const inds = drawInds(pick, size, rows);
    const fetched = fetchRows(pool, profile, inds);
    fetched.catch(() => undefined); // awaited when its turn comes; a block never used must not go unhandled
    return { inds, rows: fetched };
  };
  /** Draws blocks (in order: the same inds as one at a time) until FETCH_AHEAD_BLOCKS are being fetched. */
  const fetchAhead = (rows: number) => {
    while (ahead.length < FETCH_AHEAD_BLOCKS) {
      const block = drawBlock(rows);
      if (!block) return;
      ahead.push(block);
    }
  };

  try {
    sourceRows = await sourceSize(pool, profile);
    run: for (;;) {
      const stop = shouldStop();
      if (stop) {
        stopReason = stop;
        break;
      }
      if (ahead.length === 0) fetchAhead(sourceRows);
      const block = ahead.shift();
      if (!block) {
        stopReason = 'count';
        break;
      }
      const { inds } = block;
      const rows = await block.rows;
      // The next blocks are drawn now and fetched while this one is sent (the same inds, in the same order).
      fetchAhead(sourceRows);
      for (const group of chunk(inds, o.batch)) {
        const wait = rateDelay(tally.posts, o.rate, elapsed());
        if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => undefined);
        const stopNow = shouldStop();
        if (stopNow) {
          stopReason = stopNow;
          break run;
        }
        tally.posts += group.length;
        for (const key of TOPIC_KEYS) {
          const values: RecordValue[] = [];
          for (const ind of group) {
            const v = rows[key].get(ind);
            if (v) values.push(v);
            else tally.topics[key].missing++;
          }
          if (values.length === 0) continue;
          // Backpressure: keep at most two requests queued per connection.
          while (limit.activeCount + limit.pendingCount >= o.concurrency * 2) await Promise.race(inflight);
          dispatch(key, values);
        }
        if (o.mode === 'faithful') {
          await Promise.all(inflight);
          progress();
          await sleep(naps() * FAITHFUL_MAX_SLEEP_MS, undefined, { signal }).catch(() => undefined);
        }
      }
    }
  } finally {
    await Promise.allSettled([...inflight, ...ahead.map((b) => b.rows)]);
    await Promise.allSettled([sender.close(), pool.end()]);
  }
  progress();
  return tally.summary({
    target: url,
    mode: o.mode,
    seed: o.seed,
    batch: o.batch,
    concurrency: o.concurrency,
    rate: o.rate ?? null,
    sourceRows: sourceRows ?? 0,
    elapsedMs: Math.round(elapsed()),
    stopReason: stopReason ?? 'count',
  });
}
