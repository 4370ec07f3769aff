import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/load.ts';
import { readEnv } from '../../../src/config/env.ts';
import type { Profile } from '../../../src/config/schema.ts';
import type { BatchSummary } from '../../../src/batch/types.ts';
import type { EmulatorProgress, EmulatorSummary } from '../../../src/emulator/types.ts';
import {
  openAckLedger,
  proxyLedgerPath,
  readAckLedger,
  readAckLedgerDetail,
} from '../../../src/ledger/index.ts';
import {
  appendLedger,
  ledgerLive,
  ledgerPath,
  ledgerTotals,
  startLedgerRun,
} from '../../../src/ledger/index.ts';
import { lastBatchSummary, proxyAcks, topicCounts } from '../../../src/verify/collect.ts';

/** A summary.json the DuckDB engine wrote. */
const SUMMARY_FIXTURE = path.join(import.meta.dirname, '../../fixtures/report/results/summary.json');

let dir: string;
let profile: Profile;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-ledgers-'));
  // The repository's local profile with no PINPIPE_* variable from the shell, and a private work folder.
  profile = structuredClone(loadProfile('local', readEnv({})).profile);
  profile.pipelineId = 'p1';
  profile.batch.workDir = path.join(dir, 'batch');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const per = (pin: number, geo: number, user: number) => ({ pin, geo, user });

function summary(
  ack: [number, number, number],
  resent: [number, number, number] = [0, 0, 0],
): EmulatorSummary {
  const topic = (i: number) => ({
    topic: `p1.${['pin', 'geo', 'user'][i]}`,
    sent: ack[i]!,
    acknowledged: ack[i]!,
    failed: 0,
    missing: 0,
    inds: [],
    distinctInds: 0,
    resent: resent[i]!,
  });
  return {
    target: 'http://t',
    posts: ack[0],
    topics: { pin: topic(0), geo: topic(1), user: topic(2) },
  } as unknown as EmulatorSummary;
}

function progress(ack: [number, number, number]): EmulatorProgress {
  const t = (n: number) => ({ acknowledged: n, failed: 0, resent: 0 });
  return {
    postsSent: ack[0],
    recordsAcknowledged: ack[0] + ack[1] + ack[2],
    recordsFailed: 0,
    elapsedMs: 0,
    topics: { pin: t(ack[0]), geo: t(ack[1]), user: t(ack[2]) },
  };
}

describe('the emulator ledger', () => {
  it('counts the last line of each run, written as the run goes', () => {
    let clock = 0;
    const run = startLedgerRun(profile, 'http://t', { runId: 'r1', flushMs: 1000, now: () => clock });
    run.progress(progress([1, 1, 1])); // before the first interval: not written
    expect(fs.existsSync(ledgerPath(profile))).toBe(false);
    clock = 1000;
    run.progress(progress([5, 4, 3]));
    expect(ledgerTotals(profile)).toEqual({ runs: 1, acknowledged: per(5, 4, 3), resent: per(0, 0, 0) });
    run.finish(summary([10, 10, 9], [2, 0, 0]));
    expect(ledgerTotals(profile)).toEqual({ runs: 1, acknowledged: per(10, 10, 9), resent: per(2, 0, 0) });
    appendLedger(profile, summary([3, 3, 3]), 'r2');
    expect(ledgerTotals(profile).acknowledged).toEqual(per(13, 13, 12));
    expect(ledgerTotals(profile, 'r2')).toEqual({
      runs: 1,
      acknowledged: per(3, 3, 3),
      resent: per(0, 0, 0),
    });
    expect(ledgerTotals(profile, 'nope').runs).toBe(0);
  });

  it('says an emulation is live while its running totals are fresh, not once it finished or went quiet', () => {
    expect(ledgerLive(profile)).toBe(false);
    const run = startLedgerRun(profile, 'http://t', { runId: 'r1', flushMs: 0 });
    run.progress(progress([2, 2, 2]));
    expect(ledgerLive(profile)).toBe(true);
    expect(ledgerLive(profile, 'r1')).toBe(true);
    expect(ledgerLive(profile, 'other')).toBe(false);
    expect(ledgerLive(profile, undefined, Date.now() + 10_000)).toBe(false); // killed: went quiet
    run.finish(summary([2, 2, 2]));
    expect(ledgerLive(profile)).toBe(false);
  });

  it('reads lines written before run ids as runs of their own, and skips a torn last line', () => {
    fs.mkdirSync(path.dirname(ledgerPath(profile)), { recursive: true });
    const old = {
      at: 'x',
      pipelineId: 'p1',
      target: 't',
      posts: 1,
      acknowledged: per(2, 2, 2),
      failed: per(0, 0, 0),
    };
    fs.writeFileSync(
      ledgerPath(profile),
      `${JSON.stringify(old)}\n${JSON.stringify(old)}\n{"at":"x","runId":"r`,
    );
    expect(ledgerTotals(profile)).toEqual({ runs: 2, acknowledged: per(4, 4, 4), resent: per(0, 0, 0) });
  });
});

describe('the proxy ack ledger', () => {
  it('sums the increments of every flush and of every proxy sharing the file', () => {
    const file = proxyLedgerPath(profile);
    expect(file).toBe(path.join(dir, 'ledger', 'proxy-p1.jsonl'));
    expect(readAckLedger(file)).toBeUndefined();
    const a = openAckLedger(file, 60_000);
    const b = openAckLedger(file, 60_000);
    a.acknowledged('p1.pin', 3);
    a.failed('p1.pin', 2);
    b.acknowledged('p1.pin', 1);
    b.acknowledged('other', 7);
    a.flush();
    a.acknowledged('p1.geo', 4);
    a.close();
    b.close();
    expect([...readAckLedger(file)!.entries()].sort()).toEqual([
      ['other', { acknowledged: 7, failed: 0 }],
      ['p1.geo', { acknowledged: 4, failed: 0 }],
      ['p1.pin', { acknowledged: 4, failed: 2 }],
    ]);
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('names its writers, each closed once it stopped cleanly (a closing line even with nothing new)', () => {
    const file = proxyLedgerPath(profile);
    const a = openAckLedger(file, 60_000);
    a.acknowledged('p1.pin', 1, [{ partition: 0, offset: 5 }]);
    a.flush();
    a.close();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { closed?: boolean }).closed)).toEqual([undefined, true]);
    fs.appendFileSync(
      file,
      `${JSON.stringify({ pid: 424242, acknowledged: { 'p1.pin': 2 }, failed: {} })}\n`,
    );
    const detail = readAckLedgerDetail(file)!;
    expect(detail.writers).toEqual([
      { pid: process.pid, closed: true },
      { pid: 424242, closed: false },
    ]);
    expect(detail.totals.get('p1.pin')).toEqual({ acknowledged: 3, failed: 0 });
  });

  it('writes nothing when nothing happened, and survives a torn line', () => {
    const file = proxyLedgerPath(profile);
    openAckLedger(file, 60_000).close();
    expect(fs.existsSync(file)).toBe(false);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"acknowledged":{"p1.pin":2},"failed":{}}\n{"acknowledged":{"p1.pin":');
    expect(readAckLedger(file)!.get('p1.pin')).toEqual({ acknowledged: 2, failed: 0 });
  });
});

const batchSummary = (over: Partial<BatchSummary> = {}): BatchSummary =>
  ({
    nothingToProcess: false,
    lines: per(12, 10, 10),
    rows: per(8, 9, 10),
    duplicates: { offsets: per(2, 0, 0), posts: per(1, 1, 0), total: 4 },
    quarantined: { perTopic: per(1, 0, 0), total: 1, byReason: {}, samples: [] },
    ...over,
  }) as BatchSummary;

describe('collect: lastBatchSummary, proxyAcks, topicCounts', () => {
  it('lastBatchSummary: undefined before any batch, the summary after, a clear error when unreadable', () => {
    expect(lastBatchSummary(profile)).toBeUndefined();
    const results = path.join(profile.batch.workDir, 'results');
    fs.mkdirSync(results, { recursive: true });
    const written = JSON.parse(fs.readFileSync(SUMMARY_FIXTURE, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify({ ...written, rows: per(8, 9, 10) }));
    expect(lastBatchSummary(profile)?.rows).toEqual(per(8, 9, 10));
    // A Spark run's summary has no mode nor CPU times: still read.
    const spark: Record<string, unknown> = { ...written, engine: 'spark' };
    delete spark.mode;
    delete spark.cpuMs;
    fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify(spark));
    expect(lastBatchSummary(profile)?.engine).toBe('spark');
    const other = path.join(dir, 'elsewhere');
    fs.mkdirSync(other);
    expect(lastBatchSummary(profile, other)).toBeUndefined();
    fs.writeFileSync(path.join(results, 'summary.json'), '{"rows":');
    expect(() => lastBatchSummary(profile)).toThrow(
      /summary\.json is not a readable batch summary .*run `pinpipe batch` again/,
    );
    fs.writeFileSync(path.join(results, 'summary.json'), JSON.stringify({ ...written, rows: { pin: '8' } }));
    expect(() => lastBatchSummary(profile)).toThrow(/summary\.json is not a readable batch summary \(rows/);
  });

  it('proxyAcks: undefined without a ledger; per topic, less what was answered before a run', () => {
    expect(proxyAcks(profile)).toBeUndefined();
    const l = openAckLedger(proxyLedgerPath(profile), 60_000);
    l.acknowledged('p1.pin', 5);
    l.failed('p1.user', 1);
    l.close();
    expect(proxyAcks(profile)).toEqual({
      pin: { acknowledged: 5, failed: 0 },
      geo: { acknowledged: 0, failed: 0 },
      user: { acknowledged: 0, failed: 1 },
    });
    const before = new Map([['p1.pin', { acknowledged: 2, failed: 0 }]]);
    expect(proxyAcks(profile, before)!.pin).toEqual({ acknowledged: 3, failed: 0 });
  });

  it('topicCounts: joins the ledgers, Kafka, S3 and the batch per topic', () => {
    appendLedger(profile, summary([10, 10, 10], [1, 0, 0]), 'r1');
    appendLedger(profile, summary([2, 0, 0]), 'r2');
    const l = openAckLedger(proxyLedgerPath(profile), 60_000);
    l.acknowledged('p1.pin', 13);
    l.close();
    const s3 = {
      pin: { records: 11, errors: 1, all: 11 },
      geo: { records: 10, errors: 0 },
      user: { records: 4, errors: 0, all: 10 },
    };
    const c = topicCounts(profile, per(12, 10, 10), s3, batchSummary());
    expect(c.pin).toEqual({
      topic: 'p1.pin',
      sent: 12,
      resent: 1,
      proxy: { acknowledged: 13, failed: 0 },
      kafka: 12,
      s3: 11,
      s3Errors: 1,
      batch: { records: 10, quarantined: 1, duplicatePosts: 1, cleanRows: 8 },
    });
    expect(c.user.s3All).toBe(10);
    expect(c.geo.s3All).toBeUndefined();
    // One run only.
    expect(
      topicCounts(profile, per(2, 0, 0), s3, undefined, { runId: 'r2', proxyBefore: new Map() }).pin,
    ).toMatchObject({
      sent: 2,
      resent: 0,
      batch: null,
    });
    // Nothing to process: zero rows, not "the batch has not run".
    const empty = topicCounts(profile, per(0, 0, 0), s3, batchSummary({ nothingToProcess: true }));
    expect(empty.geo.batch).toEqual({ records: 0, quarantined: 0, duplicatePosts: 0, cleanRows: 0 });
  });

  it('topicCounts: sent is null when no emulation was recorded, proxy null without its ledger', () => {
    const s3 = {
      pin: { records: 0, errors: 0 },
      geo: { records: 0, errors: 0 },
      user: { records: 0, errors: 0 },
    };
    const c = topicCounts(profile, per(0, 0, 0), s3, undefined);
    expect(c.pin.sent).toBeNull();
    expect(c.pin.proxy).toBeNull();
  });
});
