/**
 * The ledgers: what the emulator was acknowledged (per run) and what the proxy answered (per flush,
 * with offsets). One module owns both formats, their paths, writing and reading; the emulator's CLI,
 * the proxy, verify, status and the console go through here.
 */
export { ledgerDir, ledgerPath, proxyLedgerPath } from './paths.ts';
export {
  appendLedger,
  ledgerEntry,
  ledgerLive,
  ledgerTotals,
  readLedgerRuns,
  startLedgerRun,
  LIVE_FLUSH_MS,
  type LedgerEntry,
  type LedgerRun,
  type LedgerTotals,
} from './emulator.ts';
export {
  openAckLedger,
  readAckLedger,
  readAckLedgerDetail,
  ACK_LEDGER_FLUSH_MS,
  type AckedOffsets,
  type AckLedger,
  type LedgerWriter,
  type TopicAcks,
} from './proxy.ts';
export { coveredIn, mergeRanges, type OffsetRange } from './offset-ranges.ts';
