import path from 'node:path';
import type { Profile } from '../config/index.ts';

/**
 * Where the ledgers live: next to the batch work folder (inside .sandbox on the local profile, so
 * sandbox:reset clears them with the data they describe), one file per pipeline id and writer.
 */
export function ledgerDir(profile: Pick<Profile, 'batch'>): string {
  return path.join(path.dirname(profile.batch.workDir), 'ledger');
}

/** The emulator's ledger (JSON lines of acknowledged records per run). */
export function ledgerPath(profile: Pick<Profile, 'pipelineId' | 'batch'>): string {
  return path.join(ledgerDir(profile), `emulator-${profile.pipelineId}.jsonl`);
}

/** The proxy's ack ledger (JSON lines of acknowledged and failed increments, with offsets). */
export function proxyLedgerPath(profile: Pick<Profile, 'pipelineId' | 'batch'>): string {
  return path.join(ledgerDir(profile), `proxy-${profile.pipelineId}.jsonl`);
}
