export {
  appendLedger,
  ledgerPath,
  ledgerTotals,
  startLedgerRun,
  type LedgerEntry,
  type LedgerRun,
} from '../ledger/index.ts';
export {
  reconcile,
  reconcileTopic,
  formatReconciliation,
  type Explained,
  type Reconciliation,
  type ReconcileOptions,
  type TopicCounts,
  type TopicVerdict,
} from './reconcile.ts';
export { type RunScope, highWatermarks, kafkaCounts, lastBatchSummary, s3Counts } from './collect.ts';
export {
  LEDGER_GRACE_MS,
  RECHECK_MS,
  LEDGER_CATCH_UP_MS,
  Verifier,
  runVerify,
  beginRunScope,
  type VerifyReport,
} from './verify.ts';
