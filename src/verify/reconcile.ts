import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';

/**
 * The reconciliation: for each topic, records acknowledged = records in Kafka = records in S3 = rows
 * in the clean table, less duplicates dropped and lines quarantined, each shown. Pure: takes the
 * counts, returns the verdicts.
 *
 * Who wrote to Kafka: the emulator's ledger (`sent`) and the proxy's ledger (`proxy`, every producer
 * that went through `pinpipe proxy`). Two kinds of surplus are explained, counted, and not a mismatch:
 * - other producers through the proxy (a curl, a test client): proxy acknowledged − emulator sent,
 *   beyond the records the emulator resent after an error;
 * - records written twice because an acknowledgement was lost: Kafka kept records the proxy answered
 *   with an error (up to the records it failed), or the proxy acknowledged a first attempt whose
 *   answer never reached the emulator (up to the records the emulator resent).
 * Still a mismatch: acknowledged records missing from Kafka, and records in Kafka that no proxy
 * answered for (written straight to Kafka by another tool).
 */
export interface TopicCounts {
  topic: string;
  /** Records the emulator had acknowledged (ledger); null when no emulation was recorded. */
  sent: number | null;
  /** Of those, records acknowledged only after a retry (0 when unknown). */
  resent?: number;
  /** What `pinpipe proxy` answered for this topic (its ledger); null when no proxy ledger exists. */
  proxy?: null | { acknowledged: number; failed: number };
  /** Records in the Kafka log (high watermark − low watermark, summed over partitions). */
  kafka: number;
  /** Distinct offsets stored under topics/ (one per record), and records sent to errors/. */
  s3: number;
  s3Errors: number;
  /** Distinct offsets under topics/ over the whole topic when `s3` counts one run only. */
  s3All?: number;
  /** From the batch summary; null when the batch has not run. */
  batch: null | {
    /** Distinct offsets the batch read (lines − overlapping copies). */
    records: number;
    quarantined: number;
    duplicatePosts: number;
    cleanRows: number;
  };
}

export interface Explained {
  /** Records other producers sent through the proxy. */
  otherProducers: number;
  /** Records Kafka holds twice because an acknowledgement was lost and the sender retried. */
  writtenTwice: number;
}

export interface TopicVerdict extends TopicCounts {
  ok: boolean;
  problems: string[];
  explained: Explained;
}

const STRAIGHT_TO_KAFKA =
  'written straight to Kafka by a tool other than pinpipe proxy (kafka-console-producer, a script); ' +
  'verify cannot account for them: produce through `pinpipe proxy`, or start from empty topics with ' +
  '`npm run sandbox:reset` (wipes the sandbox data)';

function checkProducers(c: TopicCounts, problems: string[]): Explained {
  const explained: Explained = { otherProducers: 0, writtenTwice: 0 };
  if (!c.proxy) {
    if (c.sent !== null && c.sent !== c.kafka) {
      problems.push(
        c.kafka > c.sent
          ? `Kafka holds ${c.kafka - c.sent} record(s) the emulator did not send, and no pinpipe proxy ledger ` +
              `accounts for them: ${STRAIGHT_TO_KAFKA}`
          : `${c.sent - c.kafka} acknowledged record(s) are missing from Kafka`,
      );
    }
    return explained;
  }
  const sent = c.sent ?? 0;
  // The emulator's acknowledgements came from the proxy: if its ledger shows fewer (a proxy killed
  // before its last flush), the emulator's count is the better lower bound.
  const acked = Math.max(c.proxy.acknowledged, sent);
  if (c.kafka < acked) {
    problems.push(`${acked - c.kafka} acknowledged record(s) are missing from Kafka`);
  } else {
    const surplus = c.kafka - acked;
    const keptAfterError = Math.min(surplus, c.proxy.failed);
    explained.writtenTwice += keptAfterError;
    if (surplus > keptAfterError) {
      problems.push(
        `${surplus - keptAfterError} record(s) in Kafka were neither acknowledged nor refused by the proxy: ${STRAIGHT_TO_KAFKA}`,
      );
    }
  }
  const throughProxy = acked - sent;
  const resentTwice = Math.min(throughProxy, c.resent ?? 0);
  explained.writtenTwice += resentTwice;
  explained.otherProducers = throughProxy - resentTwice;
  return explained;
}

export function reconcileTopic(c: TopicCounts): TopicVerdict {
  const problems: string[] = [];
  const explained = checkProducers(c, problems);
  const stored = c.s3 + c.s3Errors;
  if (stored < c.kafka) {
    problems.push(`${c.kafka - stored} record(s) are in Kafka but not in S3: run \`pinpipe sink --drain\``);
  } else if (stored > c.kafka) {
    problems.push(
      `S3 holds ${stored - c.kafka} record(s) more than Kafka's log (objects from an earlier sandbox?)`,
    );
  }
  if (c.batch) {
    const inS3 = c.s3All ?? c.s3;
    if (c.batch.records !== inS3) {
      problems.push(
        `the batch read ${c.batch.records} record(s) but S3 holds ${inS3}: run \`pinpipe batch\` again`,
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
  return { ...c, ok: problems.length === 0, problems, explained };
}

export function reconcile(counts: Record<TopicKey, TopicCounts>): { ok: boolean; topics: TopicVerdict[] } {
  const topics = TOPIC_KEYS.map((k) => reconcileTopic(counts[k]));
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
  for (const t of r.topics) {
    if (t.explained.otherProducers > 0)
      out.push(
        `  ${t.topic}: ${t.explained.otherProducers} record(s) from other producers through the proxy (explained)`,
      );
    if (t.explained.writtenTwice > 0)
      out.push(
        `  ${t.topic}: ${t.explained.writtenTwice} record(s) written twice because an acknowledgement was lost ` +
          '(the sender saw an error and retried; Kafka kept both) (explained)',
      );
    for (const p of t.problems) out.push(`  ${t.topic}: ${p}`);
  }
  out.push(
    r.ok
      ? 'reconciliation: every record is accounted for'
      : 'reconciliation: UNEXPLAINED DIFFERENCES (see above)',
  );
  return out.join('\n');
}
