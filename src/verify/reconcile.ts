import type { TopicKey } from '../emulator/types.ts';

/**
 * The reconciliation: for each topic, rows sent by the emulator = records in Kafka =
 * records in S3 = rows in the clean table, less duplicates dropped and lines quarantined, each shown.
 * Pure: takes the counts, returns the verdicts.
 */
export interface TopicCounts {
  topic: string;
  /** Records the emulator had acknowledged (ledger); null when no emulation was recorded. */
  sent: number | null;
  /** Records in the Kafka log (high watermark − low watermark, summed over partitions). */
  kafka: number;
  /** Distinct offsets stored under topics/ (one per record), and records sent to errors/. */
  s3: number;
  s3Errors: number;
  /** From the batch summary; null when the batch has not run. */
  batch: null | {
    /** Distinct offsets the batch read (lines − overlapping copies). */
    records: number;
    quarantined: number;
    duplicatePosts: number;
    cleanRows: number;
  };
}

export interface TopicVerdict extends TopicCounts {
  ok: boolean;
  problems: string[];
}

export function reconcileTopic(c: TopicCounts): TopicVerdict {
  const problems: string[] = [];
  if (c.sent !== null && c.sent !== c.kafka) {
    problems.push(
      c.kafka > c.sent
        ? `Kafka holds ${c.kafka - c.sent} record(s) the emulator did not send (another producer wrote to ${c.topic})`
        : `${c.sent - c.kafka} acknowledged record(s) are missing from Kafka`,
    );
  }
  const stored = c.s3 + c.s3Errors;
  if (stored < c.kafka) {
    problems.push(`${c.kafka - stored} record(s) are in Kafka but not in S3: run \`pinpipe sink --drain\``);
  } else if (stored > c.kafka) {
    problems.push(
      `S3 holds ${stored - c.kafka} record(s) more than Kafka's log (objects from an earlier sandbox?)`,
    );
  }
  if (c.batch) {
    if (c.batch.records !== c.s3) {
      problems.push(
        `the batch read ${c.batch.records} record(s) but S3 holds ${c.s3}: run \`pinpipe batch\` again`,
      );
    }
    const expected = c.batch.records - c.batch.quarantined - c.batch.duplicatePosts;
    if (expected !== c.batch.cleanRows) {
      problems.push(
        `clean table has ${c.batch.cleanRows} row(s), expected ${expected} ` +
          `(${c.batch.records} read − ${c.batch.quarantined} quarantined − ${c.batch.duplicatePosts} duplicate posts)`,
      );
    }
  } else {
    problems.push('the batch has not run: run `pinpipe batch`');
  }
  return { ...c, ok: problems.length === 0, problems };
}

export function reconcile(counts: Record<TopicKey, TopicCounts>): { ok: boolean; topics: TopicVerdict[] } {
  const topics = (['pin', 'geo', 'user'] as const).map((k) => reconcileTopic(counts[k]));
  return { ok: topics.every((t) => t.ok), topics };
}

/** The reconciliation as a plain-text table, one row per topic, then the problems. */
export function formatReconciliation(r: { ok: boolean; topics: TopicVerdict[] }): string {
  const head = [
    'topic',
    'sent',
    'kafka',
    's3',
    's3 errors/',
    'quarantined',
    'dup posts',
    'clean rows',
    'verdict',
  ];
  const rows = r.topics.map((t) => [
    t.topic,
    t.sent === null ? '-' : String(t.sent),
    String(t.kafka),
    String(t.s3),
    String(t.s3Errors),
    t.batch ? String(t.batch.quarantined) : '-',
    t.batch ? String(t.batch.duplicatePosts) : '-',
    t.batch ? String(t.batch.cleanRows) : '-',
    t.ok ? 'ok' : 'MISMATCH',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ');
  const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const t of r.topics) for (const p of t.problems) out.push(`  ${t.topic}: ${p}`);
  out.push(
    r.ok
      ? 'reconciliation: every record is accounted for'
      : 'reconciliation: UNEXPLAINED DIFFERENCES (see above)',
  );
  return out.join('\n');
}
