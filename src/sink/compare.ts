import type { StoredRecord } from './read-back.ts';

/** One record of the Kafka log, as read back from the broker. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  /** The value as text (null for a tombstone). */
  value: string | null;
}

export interface LogComparison {
  /** Records in the Kafka log. */
  logRecords: number;
  /** Lines found in objects (before deduplication). */
  storedLines: number;
  /** Offsets of the log found in no object and not in `rejected`. */
  missing: Array<{ topic: string; partition: number; offset: number }>;
  /** Extra copies: lines beyond the first for the same offset. */
  duplicated: number;
  /** Stored lines whose value differs from the log's. */
  mismatched: Array<{ topic: string; partition: number; offset: number }>;
  /** Stored offsets that are not in the log. */
  unknown: number;
}

/**
 * Compares what the sink stored with the Kafka log it read: the exactly-once check of the crash
 * test and benchmark. `rejected` holds "topic:partition:offset" of records sent to errors/.
 */
export function compareWithLog(
  log: LogRecord[],
  stored: StoredRecord[],
  rejected: ReadonlySet<string> = new Set(),
): LogComparison {
  const id = (t: string, p: number, o: number) => `${t}:${p}:${o}`;
  const byId = new Map<string, LogRecord>();
  for (const r of log) byId.set(id(r.topic, r.partition, r.offset), r);
  const seen = new Map<string, number>();
  const mismatched: LogComparison['mismatched'] = [];
  let unknown = 0;
  for (const s of stored) {
    const key = id(s.topic, s.partition, s.offset);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const expected = byId.get(key);
    if (!expected) unknown++;
    else if (expected.value !== s.line)
      mismatched.push({ topic: s.topic, partition: s.partition, offset: s.offset });
  }
  const missing: LogComparison['missing'] = [];
  for (const [key, r] of byId) {
    if (!seen.has(key) && !rejected.has(key))
      missing.push({ topic: r.topic, partition: r.partition, offset: r.offset });
  }
  let duplicated = 0;
  for (const n of seen.values()) duplicated += n - 1;
  return { logRecords: log.length, storedLines: stored.length, missing, duplicated, mismatched, unknown };
}
