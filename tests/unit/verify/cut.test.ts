import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAckLedger, readAckLedgerDetail } from '../../../src/ledger/index.ts';
import {
  errorOffsets,
  storedInCut,
  unacknowledgedInCut,
  type PartitionCut,
} from '../../../src/verify/cut.ts';
import { coveredIn, mergeRanges } from '../../../src/ledger/index.ts';
import { reconcileTopic, type TopicCounts } from '../../../src/verify/reconcile.ts';

const span = (partition: number, start: number, lines: number) => ({ topic: 't', partition, start, lines });

describe('offset ranges', () => {
  it('merges overlapping and touching ranges and counts what they cover', () => {
    const merged = mergeRanges([
      [5, 8],
      [0, 2],
      [2, 3],
      [7, 10],
      [4, 4],
    ]);
    expect(merged).toEqual([
      [0, 3],
      [5, 10],
    ]);
    expect(coveredIn(merged, 1, 6)).toBe(3);
    expect(coveredIn(merged, 0, Infinity)).toBe(8);
  });
});

describe('S3 against the cut', () => {
  // partition 0: Kafka [0, 10) at the cut, the sink committed 6; partition 1: [2, 5), nothing committed
  const parts: PartitionCut[] = [
    { partition: 0, from: 0, cut: 10, committed: 6, end: 12 },
    { partition: 1, from: 2, cut: 5, committed: undefined, end: 5 },
  ];

  it('counts stored offsets of the cut only; what is stored after the cut is neither missing nor extra', () => {
    const s = storedInCut(parts, {
      spans: [span(0, 0, 4), span(0, 3, 3), span(0, 6, 5)],
      errors: [{ partition: 0, offset: 11 }],
    });
    expect(s).toEqual({
      records: 10,
      errors: 0,
      all: 11,
      committed: { records: 6, stored: 6 },
      beyond: 0,
    });
  });

  it('finds committed offsets S3 no longer holds (a deleted object), and offsets beyond the log', () => {
    const s = storedInCut(parts, {
      spans: [span(0, 0, 2), span(0, 4, 2), span(1, 2, 1), span(1, 9, 2), span(3, 0, 1)],
      errors: errorOffsets(['errors/t/partition=0/0000000002.json', 'errors/t/partition=0/0000000013.json']),
    });
    expect(s.committed).toEqual({ records: 6, stored: 5 });
    expect(s.records).toBe(5);
    expect(s.errors).toBe(1);
    // offsets 13 (partition 0, end 12), 9 and 10 (partition 1, end 5), and partition 3 (not in Kafka)
    expect(s.beyond).toBe(4);
  });

  it('counts the offsets of the cut no proxy acknowledged', () => {
    const ranges = new Map([
      [0, mergeRanges([[0, 9]])],
      [1, mergeRanges([[0, 5]])],
    ]);
    expect(unacknowledgedInCut(parts, { ranges, withoutOffsets: 0 })).toBe(1);
    expect(unacknowledgedInCut(parts, { ranges, withoutOffsets: 3 })).toBeUndefined();
    expect(unacknowledgedInCut(parts, undefined)).toBeUndefined();
  });
});

describe("the proxy ledger's offsets", () => {
  it('writes the acknowledged offsets per partition as ranges and reads them merged', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-cut-'));
    try {
      const file = path.join(dir, 'proxy.jsonl');
      const l = openAckLedger(file, 60_000);
      l.acknowledged('t', 3, [
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
        { partition: 1, offset: 0 },
      ]);
      l.acknowledged('t', 1, [{ partition: 0, offset: 2 }]);
      l.flush();
      l.acknowledged('t', 2, [
        { partition: 0, offset: 5 },
        { partition: 0, offset: 3 },
      ]);
      l.failed('t', 1);
      l.close();
      const d = readAckLedgerDetail(file)!;
      expect(d.totals.get('t')).toEqual({ acknowledged: 6, failed: 1 });
      expect(d.offsets.get('t')).toEqual({
        withoutOffsets: 0,
        ranges: new Map([
          [
            0,
            [
              [0, 4],
              [5, 6],
            ],
          ],
          [1, [[0, 1]]],
        ]),
      });
      // a line of an older proxy (no offsets) makes the offsets incomplete
      fs.appendFileSync(file, `${JSON.stringify({ at: '', pid: 1, acknowledged: { t: 2 }, failed: {} })}\n`);
      expect(readAckLedgerDetail(file)!.offsets.get('t')!.withoutOffsets).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reconcileTopic on a live cut', () => {
  const live: TopicCounts = {
    topic: 'x.pin',
    sent: 120,
    resent: 0,
    proxy: { acknowledged: 125, failed: 0 },
    ackedAtCut: 95,
    unacknowledged: 0,
    kafka: 100,
    s3: 80,
    s3Errors: 0,
    committed: { records: 80, stored: 80 },
    s3Beyond: 0,
    sinkRunning: true,
    emulatorLive: true,
    batch: { records: 60, quarantined: 0, duplicatePosts: 0, cleanRows: 60 },
  };

  it('is in flight, not a mismatch, while records are on their way', () => {
    const v = reconcileTopic(live);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.inFlight).toEqual([
      "25 record(s) acknowledged after Kafka's offsets were read (judged on the next reconciliation)",
      'the emulator is still sending (its ledger is written every second)',
      '20 record(s) in Kafka are not in S3 yet: the running sink stores them with its next objects (flush.size or its rotation interval)',
      '20 stored record(s) not read by the batch yet (its next run, or `pinpipe batch`)',
    ]);
    expect(v.explained).toEqual({ otherProducers: 0, writtenTwice: 0 });
    expect(reconcileTopic(live, { caughtUp: true }).ok).toBe(false);
  });

  it('is a mismatch for a record of the cut no proxy acknowledged, even while the proxy acknowledges more', () => {
    const v = reconcileTopic({ ...live, unacknowledged: 1 });
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(
      /^1 record\(s\) in Kafka were neither acknowledged nor refused by the proxy: written straight to Kafka/,
    );
  });

  // the proxy's ledger holds 97 of the emulator's 100: 3 offsets it has not written down
  const short: TopicCounts = {
    ...live,
    sent: 100,
    proxy: { acknowledged: 97, failed: 0 },
    ackedAtCut: 100,
    unacknowledged: 3,
    emulatorLive: false,
  };

  it("counts the emulator's acknowledgements a killed proxy's ledger lost, not as foreign", () => {
    // killed before its last flush (proxyFlushLost unknown: assumed possible)
    const after = short;
    expect(reconcileTopic(after).problems).toEqual([]);
    expect(reconcileTopic({ ...after, unacknowledged: 4 }).problems[0]).toMatch(
      /^1 record\(s\) in Kafka were neither acknowledged nor refused by the proxy/,
    );
  });

  it("with every proxy running or closed, the emulator's surplus is a flush to come: in flight, never a foreign record explained away", () => {
    // the emulator counted 3 the running proxy has not written down yet, and a foreign record came
    const behind = { ...short, proxyFlushLost: false };
    expect(reconcileTopic(behind)).toMatchObject({ ok: true, problems: [] });
    expect(reconcileTopic(behind).inFlight[0]).toBe(
      "3 record(s) the emulator was acknowledged are not in the proxy's ledger yet (judged on the next reconciliation)",
    );
    expect(reconcileTopic(behind, { caughtUp: true }).problems[0]).toBe(
      "3 record(s) the emulator was acknowledged are not in the proxy's ledger yet: run verify again",
    );
    // caught up: the proxy's ledger holds the emulator's 100, and the one it never answered for shows
    const foreign = { ...behind, proxy: { acknowledged: 100, failed: 0 }, unacknowledged: 1 };
    expect(reconcileTopic(foreign).problems[0]).toMatch(
      /^1 record\(s\) in Kafka were neither acknowledged nor refused by the proxy/,
    );
  });

  it('is a mismatch for committed records missing from S3, and for acknowledged records Kafka lacks', () => {
    expect(reconcileTopic({ ...live, s3: 70, committed: { records: 80, stored: 70 } }).problems).toEqual([
      '10 record(s) the sink stored (below its committed offsets) are missing from S3: an object was deleted or ' +
        'overwritten; `pinpipe sink` cannot store them again unless its group is reset',
    ]);
    expect(reconcileTopic({ ...live, ackedAtCut: 101 }).problems).toEqual([
      '1 acknowledged record(s) are missing from Kafka',
    ]);
  });
});
