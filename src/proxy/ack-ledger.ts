import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../config/schema.ts';

/**
 * The proxy's durable count of what it answered, per topic: records it acknowledged (200 after
 * Kafka's acks=all) and records it answered with an error (Kafka may still have kept some of those,
 * e.g. a send that timed out after the broker wrote it). `pinpipe verify` compares these with Kafka's
 * log and the emulator's ledger to tell other producers and lost acknowledgements from lost records.
 *
 * Storage: an append-only JSON-lines file of increments, one line per flush (every `flushMs`, and on
 * close). Each line is one small append (O_APPEND), so proxies sharing the file do not overwrite each
 * other; a line torn by a crash is skipped when read. A SIGKILL loses at most the increments of the
 * last flush interval (250 ms by default); a clean stop loses nothing.
 */
export interface TopicAcks {
  acknowledged: number;
  failed: number;
}

export interface AckLedger {
  acknowledged(topic: string, records: number): void;
  failed(topic: string, records: number): void;
  /** Appends the increments since the last flush (nothing when there are none). */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): void;
}

interface LedgerLine {
  at: string;
  pid: number;
  acknowledged: Record<string, number>;
  failed: Record<string, number>;
}

export const ACK_LEDGER_FLUSH_MS = 250;

export function proxyLedgerPath(profile: Pick<Profile, 'pipelineId' | 'batch'>): string {
  return path.join(path.dirname(profile.batch.workDir), 'ledger', `proxy-${profile.pipelineId}.jsonl`);
}

export function openAckLedger(file: string, flushMs = ACK_LEDGER_FLUSH_MS): AckLedger {
  let acked: Record<string, number> = {};
  let failed: Record<string, number> = {};
  let pending = false;
  const flush = () => {
    if (!pending) return;
    const line: LedgerLine = { at: new Date().toISOString(), pid: process.pid, acknowledged: acked, failed };
    acked = {};
    failed = {};
    pending = false;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  const timer = setInterval(() => {
    try {
      flush();
    } catch {
      // A full or read-only disk must not stop the proxy; the next flush tries again.
    }
  }, flushMs);
  timer.unref();
  const add = (to: Record<string, number>, topic: string, n: number) => {
    if (n <= 0) return;
    to[topic] = (to[topic] ?? 0) + n;
    pending = true;
  };
  return {
    acknowledged: (topic, n) => add(acked, topic, n),
    failed: (topic, n) => add(failed, topic, n),
    flush,
    close: () => {
      clearInterval(timer);
      flush();
    },
  };
}

/** Totals per topic over the whole file; undefined when the file does not exist. */
export function readAckLedger(file: string): Map<string, TopicAcks> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const totals = new Map<string, TopicAcks>();
  const get = (topic: string) => {
    let t = totals.get(topic);
    if (!t) totals.set(topic, (t = { acknowledged: 0, failed: 0 }));
    return t;
  };
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!raw.trim()) continue;
    let line: LedgerLine;
    try {
      line = JSON.parse(raw) as LedgerLine;
    } catch {
      continue; // torn by a crash mid-append
    }
    for (const [topic, n] of Object.entries(line.acknowledged ?? {})) get(topic).acknowledged += n;
    for (const [topic, n] of Object.entries(line.failed ?? {})) get(topic).failed += n;
  }
  return totals;
}
