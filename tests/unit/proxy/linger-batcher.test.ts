import { describe, expect, it, vi } from 'vitest';
import {
  LingerBatcher,
  assemble,
  type RecordMetadata,
  type TopicMessages,
} from '../../../src/proxy/linger-batcher.ts';

/** A fake broker: per topic-partition logs; returns base offsets like the producer's send. */
function fakeBroker() {
  const logs = new Map<string, number>();
  const sends: TopicMessages[][] = [];
  const send = async (tms: TopicMessages[]): Promise<RecordMetadata[]> => {
    sends.push(tms);
    const out: RecordMetadata[] = [];
    for (const tm of tms) {
      const perPartition = new Map<number, number>();
      for (const m of tm.messages) perPartition.set(m.partition!, (perPartition.get(m.partition!) ?? 0) + 1);
      for (const [p, n] of perPartition) {
        const k = `${tm.topic}/${p}`;
        const base = logs.get(k) ?? 0;
        logs.set(k, base + n);
        out.push({ topicName: tm.topic, partition: p, errorCode: 0, baseOffset: String(base) });
      }
    }
    return out;
  };
  return { send, sends };
}

const rec = (partition: number, v = 'v') => ({ key: null, value: Buffer.from(v), partition });

describe('LingerBatcher', () => {
  it('gathers concurrent requests into one send and maps offsets back to each', async () => {
    const broker = fakeBroker();
    const b = new LingerBatcher({ lingerMs: 20, maxBatchBytes: 1 << 20, send: broker.send });
    const [r1, r2, r3] = await Promise.all([
      b.submit('t', [rec(0), rec(1), rec(0)]),
      b.submit('t', [rec(0)]),
      b.submit('u', [rec(2), rec(2)]),
    ]);
    expect(broker.sends).toHaveLength(1);
    expect(r1).toEqual([
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
      { partition: 0, offset: 1 },
    ]);
    expect(r2).toEqual([{ partition: 0, offset: 2 }]);
    expect(r3).toEqual([
      { partition: 2, offset: 0 },
      { partition: 2, offset: 1 },
    ]);
    const next = await b.submit('t', [rec(0)]);
    expect(next).toEqual([{ partition: 0, offset: 3 }]);
    expect(b.stats).toEqual({ sends: 2, records: 7 });
  });

  it("adds a record's position to its base offset as Kafka's int64 would, then rounds to a Number", async () => {
    for (const baseOffset of ['12', '9007199254740993']) {
      const send = async (): Promise<RecordMetadata[]> => [
        { topicName: 't', partition: 0, errorCode: 0, baseOffset },
      ];
      const b = new LingerBatcher({ lingerMs: 1, maxBatchBytes: 1 << 20, send });
      const offsets = await b.submit('t', [rec(0), rec(0), rec(0)]);
      // past 2^53, Number(base) + 1 would round back onto Number(base)
      expect(offsets.map((o) => o.offset)).toEqual([0n, 1n, 2n].map((i) => Number(BigInt(baseOffset) + i)));
    }
  });

  it('starts a send early once maxBatchBytes is pending, never splitting a request', async () => {
    const broker = fakeBroker();
    const b = new LingerBatcher({ lingerMs: 1000, maxBatchBytes: 100, send: broker.send });
    const big = 'x'.repeat(60);
    // Fake clock: the linger timer (1 s) never fires, so every send seen was started by the size limit.
    vi.useFakeTimers();
    try {
      const all = Promise.all([
        b.submit('t', [rec(0, big)]),
        b.submit('t', [rec(0, big)]),
        b.submit('t', [rec(0, big), rec(0, big)]),
      ]);
      await vi.advanceTimersByTimeAsync(999);
      expect(broker.sends.map((s) => s[0]!.messages.length)).toEqual([1, 1, 2]);
      const rs = await all;
      expect(rs.flat().map((o) => o.offset)).toEqual([0, 1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails every request of a failed send, and keeps working afterwards', async () => {
    let fail = true;
    const broker = fakeBroker();
    const b = new LingerBatcher({
      lingerMs: 5,
      maxBatchBytes: 1 << 20,
      send: async (tms) => {
        if (fail) throw Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError' });
        return broker.send(tms);
      },
    });
    const results = await Promise.allSettled([b.submit('t', [rec(0)]), b.submit('t', [rec(1)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(b.submit('t', [rec(1)])).resolves.toEqual([{ partition: 1, offset: 0 }]);
  });

  it('rejects a request whose partition got no offset back', async () => {
    const b = new LingerBatcher({ lingerMs: 0, maxBatchBytes: 1 << 20, send: async () => [] });
    await expect(b.submit('t', [rec(0)])).rejects.toThrow(/no offset/);
  });

  it('flush sends what is pending at once and waits for it', async () => {
    const broker = fakeBroker();
    const b = new LingerBatcher({ lingerMs: 60_000, maxBatchBytes: 1 << 20, send: broker.send });
    const p = b.submit('t', [rec(0)]);
    await b.flush();
    await expect(p).resolves.toEqual([{ partition: 0, offset: 0 }]);
  });

  it('assemble keeps arrival order per partition', () => {
    const { topicMessages, positions } = assemble([
      { topic: 't', records: [rec(1, 'a'), rec(0, 'b')] },
      { topic: 't', records: [rec(1, 'c')] },
    ]);
    expect(topicMessages).toHaveLength(1);
    expect(topicMessages[0]!.messages.map((m) => String(m.value))).toEqual(['a', 'b', 'c']);
    expect(positions).toEqual([
      [
        { partition: 1, index: 0 },
        { partition: 0, index: 0 },
      ],
      [{ partition: 1, index: 1 }],
    ]);
  });
});
