import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../config/schema.ts';
import type { EmulatorSummary, TopicKey } from '../emulator/types.ts';
import { TOPIC_KEYS } from '../emulator/types.ts';

/**
 * The emulator's ledger: one JSON line per emulation run (acknowledged records per topic), so the
 * reconciliation can compare "what the emulator sent" with what Kafka, S3 and the clean tables hold.
 * It lives next to the batch work folder (inside .sandbox on the local profile, so sandbox:reset
 * clears it with the data it describes).
 */
export interface LedgerEntry {
  at: string;
  pipelineId: string;
  target: string;
  posts: number;
  acknowledged: Record<TopicKey, number>;
  failed: Record<TopicKey, number>;
}

export function ledgerPath(profile: Profile): string {
  return path.join(path.dirname(profile.batch.workDir), 'ledger', `emulator-${profile.pipelineId}.jsonl`);
}

export function ledgerEntry(profile: Profile, s: EmulatorSummary, at = new Date()): LedgerEntry {
  const per = (f: (k: TopicKey) => number) =>
    Object.fromEntries(TOPIC_KEYS.map((k) => [k, f(k)])) as Record<TopicKey, number>;
  return {
    at: at.toISOString(),
    pipelineId: profile.pipelineId,
    target: s.target,
    posts: s.posts,
    acknowledged: per((k) => s.topics[k].acknowledged),
    failed: per((k) => s.topics[k].failed),
  };
}

export function appendLedger(profile: Profile, s: EmulatorSummary): LedgerEntry {
  const entry = ledgerEntry(profile, s);
  const file = ledgerPath(profile);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
  return entry;
}

/** Acknowledged records per topic over every run in the ledger (0 when there is none). */
export function ledgerTotals(profile: Profile): { runs: number; acknowledged: Record<TopicKey, number> } {
  const totals: Record<TopicKey, number> = { pin: 0, geo: 0, user: 0 };
  const file = ledgerPath(profile);
  if (!fs.existsSync(file)) return { runs: 0, acknowledged: totals };
  let runs = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as LedgerEntry;
    runs++;
    for (const k of TOPIC_KEYS) totals[k] += e.acknowledged[k] ?? 0;
  }
  return { runs, acknowledged: totals };
}
