import type { Profile } from '../config/index.ts';
import { createKafkaAdmin } from '../clients/kafka.ts';
import { createS3 } from '../clients/s3.ts';
import { ACK_LEDGER_FLUSH_MS, proxyLedgerPath, readAckLedger } from '../ledger/index.ts';
import {
  acknowledgedBeforeCut,
  cutTopicCounts,
  highWatermarks,
  kafkaWatermarks,
  lastBatchSummary,
  s3Stored,
  sinkCommitted,
  type RunScope,
} from './collect.ts';
import { reconcile, type Reconciliation, type TopicCounts } from './reconcile.ts';
import { StoredObjectIndex } from './stored-index.ts';

export type VerifyReport = Reconciliation;

/** verify reads the proxy's ledger at least this long after the cut: one ledger flush and its answer. */
export const LEDGER_GRACE_MS = 2 * ACK_LEDGER_FLUSH_MS;

/** A difference found is judged once more after this long (a ledger flush delayed by a busy machine). */
export const RECHECK_MS = 500;

/**
 * How long verify waits for a running proxy's ledger to hold what the emulator counted (its flush
 * every ACK_LEDGER_FLUSH_MS, late on a busy machine) before judging what is still missing as in flight.
 */
export const LEDGER_CATCH_UP_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Reconciles the pipeline again and again on one S3 client, remembering every stored object it
 * read (key, ETag, size → its offsets): each run lists the bucket and reads only new or rewritten
 * objects. The console keeps one to refresh its verdict (one run at a time); `runVerify` uses a
 * fresh one.
 */
export class Verifier {
  private readonly s3;
  private readonly indexes = new Map<string, StoredObjectIndex>();

  constructor(private readonly profile: Profile) {
    this.s3 = createS3(profile);
  }

  /**
   * Reconciles one consistent cut, exact while the pipeline runs:
   * 1. what the ledgers (emulator's, proxy's) had acknowledged: Kafka must hold all of it;
   * 2. Kafka's high watermarks: the cut — only records below it are judged;
   * 3. the sink's committed offsets: below them S3 must hold every record; the last batch's summary;
   * 4. S3 (at least one proxy-ledger flush after the cut), then the high watermarks again (stored
   *    offsets beyond them are not Kafka's), then the ledgers again: every record of the cut must be
   *    one the proxy acknowledged (offset by offset) or answered with an error.
   * What is on its way — not in S3 yet above the committed offsets, not read by the batch yet,
   * acknowledged after the cut — is in flight (ok); with `caughtUp` it is a mismatch. With `scope`,
   * the emulator, Kafka, proxy and S3 counts cover one run only (the records after the run's starting
   * offsets); the batch is still checked against everything stored.
   */
  async run(opts: { resultsDir?: string; scope?: RunScope; caughtUp?: boolean } = {}): Promise<VerifyReport> {
    const { profile } = this;
    const { scope } = opts;
    const admin = createKafkaAdmin(profile);
    const index = (prefix: string) => {
      let i = this.indexes.get(prefix);
      if (!i) this.indexes.set(prefix, (i = new StoredObjectIndex(this.s3, profile.s3.bucket, prefix)));
      return i;
    };
    try {
      const ackedBefore = acknowledgedBeforeCut(profile, scope);
      const watermarks = await kafkaWatermarks(admin, profile);
      // the cut is no later than now: the proxy's ledger is read at least LEDGER_GRACE_MS after it
      const cutAt = Date.now();
      const committed = await sinkCommitted(admin, profile);
      // before S3: a batch finishing meanwhile read no more than the S3 listed after it
      const batch = lastBatchSummary(profile, opts.resultsDir);
      const stored = await s3Stored(this.s3, profile, index);
      const end = await highWatermarks(admin, profile);
      const readings = { ackedBefore, watermarks, committed, stored, end };
      await sleep(cutAt + LEDGER_GRACE_MS - Date.now());
      const counts = () => cutTopicCounts(profile, readings, batch, scope);
      // A running proxy's ledger behind the emulator's: wait for its next flushes, so that a record
      // no proxy answered for is told from one the proxy has not written down yet.
      let read = counts();
      const catchUpBy = Date.now() + LEDGER_CATCH_UP_MS;
      while (proxyLedgerBehind(read) && Date.now() < catchUpBy) {
        await sleep(ACK_LEDGER_FLUSH_MS);
        read = counts();
      }
      const judge = (c = counts()) => reconcile(c, { caughtUp: opts.caughtUp });
      const first = judge(read);
      if (first.ok) return first;
      // Kafka and S3 stay as read; only the ledgers are read again.
      await sleep(RECHECK_MS);
      return judge();
    } finally {
      await admin.close().catch(() => {});
    }
  }

  close(): void {
    this.s3.destroy();
  }
}

/** Some topic's emulator count is above its running (not killed) proxy's ledger: a flush to come. */
function proxyLedgerBehind(counts: Record<string, TopicCounts>): boolean {
  return Object.values(counts).some(
    (c) => c.proxyFlushLost === false && c.proxy && c.sent !== null && c.sent > c.proxy.acknowledged,
  );
}

/** One reconciliation (pinpipe verify, the demo's last step): see Verifier.run. */
export async function runVerify(opts: {
  profile: Profile;
  resultsDir?: string;
  scope?: RunScope;
  /** Every stage must have caught up: anything in flight is a mismatch. */
  caughtUp?: boolean;
}): Promise<VerifyReport> {
  const v = new Verifier(opts.profile);
  try {
    return await v.run(opts);
  } finally {
    v.close();
  }
}

/** Marks the start of a run to reconcile on its own: Kafka's high watermarks and the proxy's totals. */
export async function beginRunScope(profile: Profile, runId: string): Promise<RunScope> {
  const admin = createKafkaAdmin(profile);
  try {
    return {
      runId,
      since: await highWatermarks(admin, profile),
      proxyBefore: readAckLedger(proxyLedgerPath(profile)) ?? new Map(),
    };
  } finally {
    await admin.close().catch(() => {});
  }
}
