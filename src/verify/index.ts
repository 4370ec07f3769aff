import type { Profile } from '../config/schema.ts';
import { createKafka } from '../clients/kafka.ts';
import { createS3 } from '../clients/s3.ts';
import { kafkaCounts, lastBatchSummary, s3Counts, topicCounts } from './collect.ts';
import { reconcile, type TopicVerdict } from './reconcile.ts';

export { appendLedger, ledgerPath, ledgerTotals, type LedgerEntry } from './ledger.ts';
export {
  reconcile,
  reconcileTopic,
  formatReconciliation,
  type TopicCounts,
  type TopicVerdict,
} from './reconcile.ts';

export interface VerifyReport {
  ok: boolean;
  topics: TopicVerdict[];
}

/** Collects the counts of every stage and reconciles them (pinpipe verify, the demo's last step). */
export async function runVerify(opts: { profile: Profile; resultsDir?: string }): Promise<VerifyReport> {
  const { profile } = opts;
  const admin = createKafka(profile).admin();
  const s3 = createS3(profile);
  try {
    await admin.connect();
    const [kafka, stored] = await Promise.all([kafkaCounts(admin, profile), s3Counts(s3, profile)]);
    return reconcile(topicCounts(profile, kafka, stored, lastBatchSummary(profile, opts.resultsDir)));
  } finally {
    await admin.disconnect().catch(() => {});
    s3.destroy();
  }
}
