import { describe, expect, it } from 'vitest';
import {
  formatReconciliation,
  reconcile,
  reconcileTopic,
  type TopicCounts,
} from '../../../src/verify/reconcile.ts';

const good: TopicCounts = {
  topic: 'x.pin',
  sent: 100,
  kafka: 100,
  s3: 98,
  s3Errors: 2,
  batch: { records: 98, quarantined: 3, duplicatePosts: 5, cleanRows: 90 },
};

describe('reconcileTopic', () => {
  it('accepts counts where every record is accounted for', () => {
    expect(reconcileTopic(good)).toMatchObject({ ok: true, problems: [] });
  });

  it('flags acknowledged records missing from Kafka', () => {
    const v = reconcileTopic({ ...good, kafka: 99, s3: 97 });
    expect(v.ok).toBe(false);
    expect(v.problems.join()).toMatch(/1 acknowledged record\(s\) are missing from Kafka/);
  });

  it('counts records not yet in S3 in flight; a mismatch, with how to fix it, when caught up is asked', () => {
    const counts = { ...good, s3: 90, batch: { ...good.batch!, records: 90, cleanRows: 82 } };
    const v = reconcileTopic(counts);
    expect(v).toMatchObject({ ok: true, problems: [] });
    expect(v.inFlight).toEqual([
      '8 record(s) in Kafka are not in S3 yet: no sink is running; `pinpipe sink --drain` stores them',
    ]);
    expect(reconcileTopic({ ...counts, sinkRunning: true }).inFlight).toEqual([
      '8 record(s) in Kafka are not in S3 yet: the running sink stores them with its next objects (flush.size or its rotation interval)',
    ]);
    const caught = reconcileTopic(counts, { caughtUp: true });
    expect(caught.ok).toBe(false);
    expect(caught.inFlight).toEqual([]);
    expect(caught.problems.join()).toMatch(
      /8 record\(s\) are in Kafka but not in S3: run `pinpipe sink --drain`/,
    );
  });

  it('flags a clean table that lost rows beyond duplicates and quarantine', () => {
    const v = reconcileTopic({ ...good, batch: { ...good.batch!, cleanRows: 89 } });
    expect(v.problems.join()).toMatch(/clean table has 89 row\(s\), expected 90/);
  });

  it('counts a batch that has not run in flight, a mismatch when caught up is asked', () => {
    expect(reconcileTopic({ ...good, batch: null })).toMatchObject({
      ok: true,
      inFlight: ['the batch has not run yet (`pinpipe batch`, or its schedule)'],
    });
    expect(reconcileTopic({ ...good, batch: null }, { caughtUp: true })).toMatchObject({
      ok: false,
      problems: ['the batch has not run: run `pinpipe batch`'],
    });
  });

  it('skips the emulator comparison when no emulation was recorded', () => {
    expect(reconcileTopic({ ...good, sent: null }).ok).toBe(true);
  });
});

describe('reconcile', () => {
  it('is ok only when every topic is, and prints a table', () => {
    const r = reconcile({
      pin: good,
      geo: { ...good, topic: 'x.geo' },
      user: { ...good, topic: 'x.user', kafka: 101 },
    });
    expect(r.ok).toBe(false);
    const text = formatReconciliation(r);
    expect(text).toMatch(/x\.user .*MISMATCH/);
    expect(text).toMatch(/UNEXPLAINED DIFFERENCES/);
    expect(text.split('\n').slice(0, 5)).toEqual([
      'topic   sent  kafka  s3  s3 errors/  quarantined  dup posts  clean rows  verdict',
      '------  ----  -----  --  ----------  -----------  ---------  ----------  --------',
      'x.pin    100    100  98           2            3          5          90  ok',
      'x.geo    100    100  98           2            3          5          90  ok',
      'x.user   100    101  98           2            3          5          90  MISMATCH',
    ]);
  });
});

describe('reconcileTopic: who wrote to Kafka', () => {
  const base: TopicCounts = {
    ...good,
    sent: 100,
    resent: 0,
    proxy: { acknowledged: 100, failed: 0 },
  };

  it('explains records other producers sent through the proxy, and stays ok', () => {
    const v = reconcileTopic({
      ...base,
      proxy: { acknowledged: 101, failed: 0 },
      kafka: 101,
      s3: 99,
      batch: { ...good.batch!, records: 99, cleanRows: 91 },
    });
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.explained).toEqual({ otherProducers: 1, writtenTwice: 0 });
    const text = formatReconciliation({ ok: v.ok, topics: [v] });
    expect(text).toContain('x.pin: 1 record(s) from other producers through the proxy (explained)');
    expect(text).toContain('reconciliation: every record is accounted for');
  });

  it('explains records Kafka kept although the proxy answered an error (written twice)', () => {
    const v = reconcileTopic({
      ...base,
      proxy: { acknowledged: 100, failed: 20 },
      kafka: 120,
      s3: 118,
      batch: { ...good.batch!, records: 118, cleanRows: 110 },
    });
    expect(v.problems).toEqual([]);
    expect(v.explained).toEqual({ otherProducers: 0, writtenTwice: 20 });
    expect(formatReconciliation({ ok: v.ok, topics: [v] })).toContain(
      'x.pin: 20 record(s) written twice because an acknowledgement was lost',
    );
  });

  it('explains a first attempt the proxy acknowledged but whose answer the emulator never got', () => {
    const v = reconcileTopic({
      ...base,
      resent: 5,
      proxy: { acknowledged: 106, failed: 0 },
      kafka: 106,
      s3: 104,
      batch: { ...good.batch!, records: 104, cleanRows: 96 },
    });
    expect(v.ok).toBe(true);
    expect(v.explained).toEqual({ otherProducers: 1, writtenTwice: 5 });
  });

  it('fails on records in Kafka that no proxy answered for, and says what to do', () => {
    const v = reconcileTopic({
      ...base,
      proxy: { acknowledged: 100, failed: 2 },
      kafka: 105,
      s3: 103,
      batch: { ...good.batch!, records: 103, cleanRows: 95 },
    });
    expect(v.ok).toBe(false);
    expect(v.explained).toEqual({ otherProducers: 0, writtenTwice: 2 });
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toBe(
      '3 record(s) in Kafka were neither acknowledged nor refused by the proxy: written straight to Kafka by a ' +
        'tool other than pinpipe proxy (kafka-console-producer, a script); verify cannot account for them: ' +
        'produce through `pinpipe proxy`, or start from empty topics with `npm run sandbox:reset` (wipes the sandbox data)',
    );
  });

  it('fails on acknowledged records lost by Kafka, even when other producers also wrote', () => {
    const v = reconcileTopic({
      ...base,
      proxy: { acknowledged: 110, failed: 0 },
      kafka: 109,
      s3: 107,
      batch: { ...good.batch!, records: 107, cleanRows: 99 },
    });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual(['1 acknowledged record(s) are missing from Kafka']);
  });

  it('takes the emulator count when the proxy ledger lost its last flush', () => {
    const v = reconcileTopic({ ...base, proxy: { acknowledged: 97, failed: 0 } });
    expect(v.ok).toBe(true);
    expect(v.explained).toEqual({ otherProducers: 0, writtenTwice: 0 });
  });

  it('without a proxy ledger, a surplus is unexplained and names the straight-to-Kafka cause', () => {
    const v = reconcileTopic({
      ...good,
      proxy: null,
      kafka: 101,
      s3: 99,
      batch: { ...good.batch!, records: 99, cleanRows: 91 },
    });
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatch(
      /^Kafka holds 1 record\(s\) the emulator did not send, and no pinpipe proxy ledger accounts for them: written straight to Kafka/,
    );
  });

  it('checks the batch against every stored record when S3 counts one run only', () => {
    const v = reconcileTopic({
      ...good,
      s3All: 150,
      batch: { ...good.batch!, records: 150, cleanRows: 142 },
    });
    expect(v.ok).toBe(true);
    const stale = reconcileTopic({ ...good, s3All: 150 });
    expect(stale).toMatchObject({
      ok: true,
      inFlight: ['52 stored record(s) not read by the batch yet (its next run, or `pinpipe batch`)'],
    });
    expect(reconcileTopic({ ...good, s3All: 150 }, { caughtUp: true }).problems).toEqual([
      'the batch read 98 record(s) but S3 holds 150: run `pinpipe batch` again',
    ]);
    // the batch read more than S3 holds: objects were deleted since
    expect(reconcileTopic({ ...good, s3All: 90 }).problems).toEqual([
      'the batch read 98 record(s) but S3 holds 90: objects were deleted since it ran, or it read another source; ' +
        '`pinpipe batch --full` rebuilds the tables from what S3 holds',
    ]);
  });
});

describe('reconcileTopic: S3 against Kafka', () => {
  it('flags S3 holding more records than Kafka, counting errors/ too', () => {
    const v = reconcileTopic({ ...good, s3: 99, batch: { ...good.batch!, records: 99, cleanRows: 91 } });
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      "S3 holds 1 record(s) more than Kafka's log (objects from an earlier sandbox?)",
    ]);
  });

  it('flags errors/ objects beyond the Kafka log', () => {
    const v = reconcileTopic({ ...good, s3Errors: 5 });
    expect(v.problems).toEqual([
      "S3 holds 3 record(s) more than Kafka's log (objects from an earlier sandbox?)",
    ]);
  });
});
