import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Profile } from '../config/index.ts';
import { parseJsonLines } from '../json.ts';
import { type EmulatorProgress, type EmulatorSummary, type TopicKey, TOPIC_KEYS } from '../emulator/types.ts';
import { ledgerPath } from './paths.ts';

/**
 * The emulator's ledger: JSON lines of acknowledged records per topic, so the reconciliation can
 * compare "what the emulator sent" with what Kafka, S3 and the clean tables hold. Each emulation run
 * has a run id; while it runs, a line with its running totals is appended every `LIVE_FLUSH_MS`
 * (so `pinpipe status` sees the count grow and a killed run still counts what it had), and a final
 * line when it ends. The last line of each run counts. It lives next to the batch work folder
 * (inside .sandbox on the local profile, so sandbox:reset clears it with the data it describes).
 */
export interface LedgerEntry {
  at: string;
  /** Absent in lines written before run ids existed: each such line is a run of its own. */
  runId?: string;
  /** False while the run is still going. */
  final?: boolean;
  pipelineId: string;
  target: string;
  posts: number;
  acknowledged: Record<TopicKey, number>;
  failed: Record<TopicKey, number>;
  /** Records acknowledged only after a retry. */
  resent?: Record<TopicKey, number>;
}

export interface LedgerTotals {
  runs: number;
  acknowledged: Record<TopicKey, number>;
  resent: Record<TopicKey, number>;
}

const counts = z.record(z.enum(TOPIC_KEYS), z.number());
const ledgerEntrySchema: z.ZodType<LedgerEntry> = z.object({
  at: z.string(),
  runId: z.string().optional(),
  final: z.boolean().optional(),
  pipelineId: z.string(),
  target: z.string(),
  posts: z.number(),
  acknowledged: counts,
  failed: counts,
  resent: counts.optional(),
});
const LEDGER_FIX = { fix: 'Move it aside; the next `pinpipe emulate` starts a new one.' };

/** How often a running emulation appends its running totals. */
export const LIVE_FLUSH_MS = 1000;

const perTopic = (f: (k: TopicKey) => number) =>
  Object.fromEntries(TOPIC_KEYS.map((k) => [k, f(k)])) as Record<TopicKey, number>;

export function ledgerEntry(
  profile: Pick<Profile, 'pipelineId'>,
  s: EmulatorSummary,
  at = new Date(),
  runId?: string,
): LedgerEntry {
  return {
    at: at.toISOString(),
    ...(runId ? { runId, final: true } : {}),
    pipelineId: profile.pipelineId,
    target: s.target,
    posts: s.posts,
    acknowledged: perTopic((k) => s.topics[k].acknowledged),
    failed: perTopic((k) => s.topics[k].failed),
    resent: perTopic((k) => s.topics[k].resent ?? 0),
  };
}

function append(profile: Pick<Profile, 'pipelineId' | 'batch'>, entry: LedgerEntry): void {
  const file = ledgerPath(profile);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** Appends one finished run (a run of its own). */
export function appendLedger(
  profile: Pick<Profile, 'pipelineId' | 'batch'>,
  s: EmulatorSummary,
  runId: string = randomUUID(),
): LedgerEntry {
  const entry = ledgerEntry(profile, s, new Date(), runId);
  append(profile, entry);
  return entry;
}

export interface LedgerRun {
  runId: string;
  /** Pass the emulator's onProgress here: appends running totals at most every LIVE_FLUSH_MS. */
  progress(p: EmulatorProgress): void;
  /** Appends the final line of the run. */
  finish(s: EmulatorSummary): LedgerEntry;
}

/** A run written as it goes: running totals while the emulator sends, then the final summary. */
export function startLedgerRun(
  profile: Pick<Profile, 'pipelineId' | 'batch'>,
  target: string,
  opts: { runId?: string; flushMs?: number; now?: () => number } = {},
): LedgerRun {
  const runId = opts.runId ?? randomUUID();
  const now = opts.now ?? Date.now;
  const flushMs = opts.flushMs ?? LIVE_FLUSH_MS;
  let last = now();
  let done = false;
  return {
    runId,
    progress(p) {
      if (done || now() - last < flushMs) return;
      last = now();
      try {
        append(profile, {
          at: new Date().toISOString(),
          runId,
          final: false,
          pipelineId: profile.pipelineId,
          target,
          posts: p.postsSent,
          acknowledged: perTopic((k) => p.topics[k].acknowledged),
          failed: perTopic((k) => p.topics[k].failed),
          resent: perTopic((k) => p.topics[k].resent),
        });
      } catch {
        // A live line is a convenience; the final line is written (and may fail loudly) at the end.
      }
    },
    finish(s) {
      done = true;
      const entry = ledgerEntry(profile, s, new Date(), runId);
      append(profile, entry);
      return entry;
    },
  };
}

/** The last line of every run in the ledger file (empty when there is none). */
export function readLedgerRuns(profile: Pick<Profile, 'pipelineId' | 'batch'>): Map<string, LedgerEntry> {
  const runs = new Map<string, LedgerEntry>();
  const file = ledgerPath(profile);
  if (!fs.existsSync(file)) return runs;
  let anonymous = 0;
  for (const e of parseJsonLines(file, fs.readFileSync(file, 'utf8'), ledgerEntrySchema, LEDGER_FIX)) {
    runs.set(e.runId ?? `#${anonymous++}`, e);
  }
  return runs;
}

/** Acknowledged (and resent) records per topic over every run, or over one run when runId is given. */
export function ledgerTotals(profile: Pick<Profile, 'pipelineId' | 'batch'>, runId?: string): LedgerTotals {
  const acknowledged = perTopic(() => 0);
  const resent = perTopic(() => 0);
  let runs = 0;
  for (const [id, e] of readLedgerRuns(profile)) {
    if (runId !== undefined && id !== runId) continue;
    runs++;
    for (const k of TOPIC_KEYS) {
      acknowledged[k] += e.acknowledged[k] ?? 0;
      resent[k] += e.resent?.[k] ?? 0;
    }
  }
  return { runs, acknowledged, resent };
}

/**
 * Whether an emulation is still writing (the last line of a run is a running total written within
 * the last few flush intervals); over every run, or one run when runId is given.
 */
export function ledgerLive(
  profile: Pick<Profile, 'pipelineId' | 'batch'>,
  runId?: string,
  now = Date.now(),
): boolean {
  for (const [id, e] of readLedgerRuns(profile)) {
    if (runId !== undefined && id !== runId) continue;
    if (e.final === false && now - Date.parse(e.at) < 3 * LIVE_FLUSH_MS) return true;
  }
  return false;
}
