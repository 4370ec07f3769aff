import { randomUUID } from 'node:crypto';
import type { Profile } from '../config/index.ts';
import { createKafkaConsumer } from './kafka.ts';

/** A half-open range [from, to) of offsets to read in one partition. */
export interface OffsetWindow {
  partition: number;
  from: number;
  to: number;
}

/** One record as read: raw key and value bytes. */
export interface ReadRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

/**
 * Reads the offsets of `windows` from one topic with a throw-away consumer group that commits
 * nothing: each partition from its window's start; `onRecord` sees every record inside a window,
 * in offset order per partition, and may return false to stop. Resolves when every window is read,
 * `onRecord` said stop, or `timeoutMs` passed (`partial`: some window was not read to its end).
 */
export async function readOffsetWindows(
  profile: Profile,
  topic: string,
  windows: OffsetWindow[],
  opts: { timeoutMs: number; fetchBytes?: number; onRecord: (r: ReadRecord) => boolean | void },
): Promise<{ partial: boolean }> {
  const pending = new Map(windows.filter((w) => w.to > w.from).map((w) => [w.partition, w]));
  if (pending.size === 0) return { partial: false };
  const consumer = createKafkaConsumer(profile, {
    groupId: `pinpipe-read-${randomUUID()}`,
    maxWaitTime: 100,
    maxBytesPerPartition: opts.fetchBytes ?? 2 ** 20,
    maxBytes: Math.max(10 * 2 ** 20, (opts.fetchBytes ?? 0) * pending.size),
    autocommit: false,
  });
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: 'manual',
      offsets: [...pending.values()].map((w) => ({ topic, partition: w.partition, offset: BigInt(w.from) })),
      autocommit: false,
    });
    timer = setTimeout(() => {
      timedOut = true;
      void stream.close().catch(() => {});
    }, opts.timeoutMs);
    for await (const m of stream) {
      const w = pending.get(m.partition);
      if (!w) continue;
      const offset = Number(m.offset);
      if (offset >= w.from && offset < w.to) {
        const go = opts.onRecord({
          partition: m.partition,
          offset,
          timestamp: Number(m.timestamp),
          key: m.key && m.key.length > 0 ? m.key : null,
          value: m.value ?? null,
        });
        if (go === false) {
          pending.clear();
          break;
        }
      }
      if (offset >= w.to - 1) pending.delete(m.partition);
      if (pending.size === 0) break;
    }
    await stream.close().catch(() => {});
    return { partial: timedOut && pending.size > 0 };
  } finally {
    clearTimeout(timer);
    await consumer.close(true).catch(() => {});
  }
}
