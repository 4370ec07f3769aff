import type { Profile } from '../config/schema.ts';
import { createKafka } from '../clients/kafka.ts';
import { createS3 } from '../clients/s3.ts';
import { proxyLedgerPath, readAckLedger } from '../proxy/ack-ledger.ts';
import {
  highWatermarks,
  kafkaCounts,
  lastBatchSummary,
  s3Counts,
  topicCounts,
  type RunScope,
} from './collect.ts';
import { reconcile, type TopicVerdict } from './reconcile.ts';

export {
  appendLedger,
  ledgerPath,
  ledgerTotals,
  startLedgerRun,
  type LedgerEntry,
  type LedgerRun,
} from './ledger.ts';
export {
  reconcile,
  reconcileTopic,
  formatReconciliation,
  type Explained,
  type TopicCounts,
  type TopicVerdict,
} from './reconcile.ts';
export type { RunScope } from './collect.ts';

export interface VerifyReport {
  ok: boolean;
  topics: TopicVerdict[];
}

/**
 * Collects the counts of every stage and reconciles them (pinpipe verify, the demo's last step).
 * With `scope`, the emulator, Kafka, proxy and S3 counts cover one run only (the records after the
 * run's starting offsets); the batch is still checked against everything stored.
 */
export async function runVerify(opts: {
  profile: Profile;
  resultsDir?: string;
  scope?: RunScope;
}): Promise<VerifyReport> {
  const { profile, scope } = opts;
  const admin = createKafka(profile).admin();
  const s3 = createS3(profile);
  try {
    await admin.connect();
    const [kafka, stored] = await Promise.all([
      kafkaCounts(admin, profile, scope?.since),
      s3Counts(s3, profile, scope?.since),
    ]);
    return reconcile(topicCounts(profile, kafka, stored, lastBatchSummary(profile, opts.resultsDir), scope));
  } finally {
    await admin.disconnect().catch(() => {});
    s3.destroy();
  }
}

/** Marks the start of a run to reconcile on its own: Kafka's high watermarks and the proxy's totals. */
export async function beginRunScope(profile: Profile, runId: string): Promise<RunScope> {
  const admin = createKafka(profile).admin();
  try {
    await admin.connect();
    return {
      runId,
      since: await highWatermarks(admin, profile),
      proxyBefore: readAckLedger(proxyLedgerPath(profile)) ?? new Map(),
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
