/**
 * The pure part of the fault bench: per-record accounting (what was acknowledged, what Kafka and S3
 * hold, what was lost or duplicated), the verdict of a row and the markdown table. No I/O.
 *
 * Records are compared by identity: the record's value as text (the emulator's rows carry their post
 * index and content, so two copies of one value are the same record sent twice or a post drawn twice).
 * Every side is a multiset, so a post drawn twice counts twice everywhere.
 */

/** What a row observed. */
export interface Observed {
  /** Records the client tried to send (each once, whatever its retries). */
  sent: number;
  /** Identities of the records answered 200 (repeats kept). */
  acknowledged: readonly string[];
  /** Identities read back from Kafka, one per offset; null when the row did not read Kafka back. */
  kafka: readonly string[] | null;
  /** Identities stored in S3, one per distinct (topic, partition, offset); null when no sink ran. */
  s3: readonly string[] | null;
  /** The sink's objects checked against the Kafka log by offset; null when no sink ran. */
  s3VsLog: { missing: number; duplicated: number; mismatched: number; unknown: number } | null;
}

export interface Accounting {
  sent: number;
  acknowledged: number;
  inKafka: number | null;
  inS3: number | null;
  /** Acknowledged copies missing from Kafka. */
  lostInKafka: number;
  /** Acknowledged copies missing from S3 (0 when no sink ran). */
  lostInS3: number;
  /** Acknowledged copies missing from Kafka or from S3: the loss the bench must never see. */
  lost: number;
  /**
   * Copies in Kafka beyond the acknowledged ones: records written whose answer never reached the
   * client (it retried them, or counted them failed). Not a loss; `verify` must account for them.
   */
  duplicatedAckLost: number;
  /** Offsets stored more than once in S3 (exactly once broken). */
  s3Duplicated: number;
  /** Offsets of the Kafka log found in no S3 object (acknowledged or not). */
  s3Missing: number;
  /** S3 lines whose value differs from the log's, or whose offset is not in the log. */
  s3Mismatched: number;
}

export function countBy(items: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(i, (m.get(i) ?? 0) + 1);
  return m;
}

export function account(o: Observed): Accounting {
  const ack = countBy(o.acknowledged);
  const kafka = o.kafka ? countBy(o.kafka) : null;
  const s3 = o.s3 ? countBy(o.s3) : null;
  let lostInKafka = 0;
  let lostInS3 = 0;
  let lost = 0;
  for (const [id, a] of ack) {
    const k = kafka ? (kafka.get(id) ?? 0) : Infinity;
    const s = s3 ? (s3.get(id) ?? 0) : Infinity;
    if (kafka) lostInKafka += Math.max(0, a - k);
    if (s3) lostInS3 += Math.max(0, a - s);
    if (kafka || s3) lost += Math.max(0, a - Math.min(k, s));
  }
  let duplicatedAckLost = 0;
  if (kafka) for (const [id, k] of kafka) duplicatedAckLost += Math.max(0, k - (ack.get(id) ?? 0));
  return {
    sent: o.sent,
    acknowledged: o.acknowledged.length,
    inKafka: o.kafka ? o.kafka.length : null,
    inS3: o.s3 ? o.s3.length : null,
    lostInKafka,
    lostInS3,
    lost,
    duplicatedAckLost,
    s3Duplicated: o.s3VsLog?.duplicated ?? 0,
    s3Missing: o.s3VsLog?.missing ?? 0,
    s3Mismatched: (o.s3VsLog?.mismatched ?? 0) + (o.s3VsLog?.unknown ?? 0),
  };
}

/**
 * Accounting by count alone, for a row whose topic only it writes and whose records need not be told
 * apart (the overload row: Kafka is read by watermarks, not values).
 */
export function accountCounts(c: { sent: number; acknowledged: number; inKafka: number }): Accounting {
  return {
    sent: c.sent,
    acknowledged: c.acknowledged,
    inKafka: c.inKafka,
    inS3: null,
    lostInKafka: Math.max(0, c.acknowledged - c.inKafka),
    lostInS3: 0,
    lost: Math.max(0, c.acknowledged - c.inKafka),
    duplicatedAckLost: Math.max(0, c.inKafka - c.acknowledged),
    s3Duplicated: 0,
    s3Missing: 0,
    s3Mismatched: 0,
  };
}

/** One row of the table. */
export interface RowResult {
  /** The row's name, as given to --only. */
  name: string;
  /** The fault, in words. */
  fault: string;
  /** null when the row stopped before it could count anything. */
  accounting: Accounting | null;
  /** Milliseconds from the end of the fault until the stage in front served again; null = never. */
  recoverMs: number | null;
  /** Set when recoverMs is null or needs words ("not measured", "gave up after …"). */
  recoverText?: string;
  /** Failures of the row that are not counts: a hang, a target missed, a wrong exit code. */
  problems: string[];
  /** What else was seen (exit codes, status counts, RSS), printed under the table. */
  notes: string[];
  durationMs: number;
}

/** Why a row fails: lost or duplicated-in-S3 records first, then the row's own problems. */
export function rowFailures(r: RowResult): string[] {
  const out: string[] = [];
  const a = r.accounting;
  if (a) {
    if (a.lostInKafka > 0) out.push(`${a.lostInKafka} acknowledged not in Kafka`);
    if (a.lostInS3 > 0) out.push(`${a.lostInS3} acknowledged not in S3`);
    if (a.s3Missing > 0 && a.lostInS3 === 0) out.push(`${a.s3Missing} Kafka offsets not in S3`);
    if (a.s3Duplicated > 0) out.push(`${a.s3Duplicated} offsets twice in S3`);
    if (a.s3Mismatched > 0) out.push(`${a.s3Mismatched} S3 lines differ from the log`);
  }
  return [...out, ...r.problems];
}

export function losesAcknowledged(r: RowResult): boolean {
  return (r.accounting?.lost ?? 0) > 0;
}

export function verdict(r: RowResult): string {
  const f = rowFailures(r);
  if (f.length === 0) return 'ok';
  return `${losesAcknowledged(r) ? 'LOST' : 'FAIL'}: ${f.join('; ')}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function cell(n: number | null | undefined): string {
  return n === null || n === undefined ? '–' : String(n);
}

function duplicatedCell(a: Accounting): string {
  const parts: string[] = [];
  if (a.duplicatedAckLost > 0) parts.push(`${a.duplicatedAckLost} (ack lost)`);
  if (a.s3Duplicated > 0) parts.push(`${a.s3Duplicated} in S3`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

/** Pipes and newlines would break a markdown table cell. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

export const TABLE_HEAD = [
  'fault',
  'records sent',
  'acknowledged',
  'in Kafka',
  'in S3',
  'lost',
  'duplicated',
  'time to recover',
  'verdict',
] as const;

export function tableRow(r: RowResult): string[] {
  const a = r.accounting;
  const recover = r.recoverText ?? (r.recoverMs === null ? 'never' : formatSeconds(r.recoverMs));
  return [
    r.fault,
    cell(a?.sent),
    cell(a?.acknowledged),
    cell(a?.inKafka),
    cell(a?.inS3),
    a ? String(a.lost) : '–',
    a ? duplicatedCell(a) : '–',
    recover,
    verdict(r),
  ];
}

/** The results as a markdown table, then one bullet list of notes per row. */
export function formatTable(rows: readonly RowResult[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(md).join(' | ')} |`;
  const out = [line(TABLE_HEAD), line(TABLE_HEAD.map(() => '---')), ...rows.map((r) => line(tableRow(r)))];
  return out.join('\n');
}

export function formatNotes(rows: readonly RowResult[]): string {
  const out: string[] = [];
  for (const r of rows) {
    out.push(
      `- **${r.name}** (${formatSeconds(r.durationMs)}): ${r.notes.length ? r.notes.join('; ') : '—'}`,
    );
  }
  return out.join('\n');
}
