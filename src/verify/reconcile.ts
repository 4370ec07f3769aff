import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import { type TableColumn, tableLines } from '../table.ts';

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
 *
 * Read live, the counts form one cut (src/verify/index.ts): Kafka's high watermarks first, every
 * other figure judged against them. What is on its way is **in flight**, not a mismatch: records not
 * in S3 yet above the sink's committed offsets, stored records the batch has not read yet (or a batch
 * that has not run), records acknowledged after the cut. With `caughtUp` (the demo's last step,
 * `pinpipe verify --caught-up`) anything in flight is a mismatch too.
 */
export interface TopicCounts {
  topic: string;
  /** Records the emulator had acknowledged (ledger); null when no emulation was recorded. */
  sent: number | null;
  /** Of those, records acknowledged only after a retry (0 when unknown). */
  resent?: number;
  /** What `pinpipe proxy` answered for this topic (its ledger); null when no proxy ledger exists. */
  proxy?: null | { acknowledged: number; failed: number };
  /**
   * A proxy that wrote the ledger ended without its closing line (killed), so its last flush may be
   * lost. False: every writer is running or stopped cleanly, so an emulator count above the proxy's
   * is a flush still to come. Undefined: assumed possible.
   */
  proxyFlushLost?: boolean;
  /** Records in the Kafka log (high watermark − low watermark, summed over partitions). */
  kafka: number;
  /** Distinct offsets stored under topics/ (one per record), and records sent to errors/. */
  s3: number;
  s3Errors: number;
  /** Distinct offsets under topics/ over the whole topic when `s3` counts one run only. */
  s3All?: number;
  /**
   * Records the proxy and the emulator had acknowledged before Kafka's offsets were read (the cut):
   * Kafka must hold at least these. Undefined: the larger of `proxy.acknowledged` and `sent`.
   */
  ackedAtCut?: number;
  /**
   * Records of the cut at offsets the proxy did not acknowledge (offset by offset, from its ledger;
   * read at least one ledger flush after the cut). Undefined when the ledger has no offsets: the
   * counts are compared instead.
   */
  unacknowledged?: number;
  /** Of the cut's records, those below the sink's committed offsets (it stored them), and how many S3 holds. */
  committed?: { records: number; stored: number };
  /** Stored offsets beyond Kafka's log read after S3 (undefined: `s3` + `s3Errors` against `kafka`). */
  s3Beyond?: number;
  /** A sink of the profile's group is running (its status file). */
  sinkRunning?: boolean;
  /** An emulation is still writing its ledger. */
  emulatorLive?: boolean;
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
  /** What is on its way (not a mismatch unless `caughtUp` was asked). */
  inFlight: string[];
  explained: Explained;
}

export interface ReconcileOptions {
  /** Every stage must have caught up: anything in flight is a mismatch. */
  caughtUp?: boolean;
}

/** A difference that is either in flight or, when every stage must have caught up, a problem. */
interface Pending {
  /** Undefined: nothing to say unless caught up is asked. */
  inFlight: string | undefined;
  caughtUp: string;
}

const STRAIGHT_TO_KAFKA =
  'written straight to Kafka by a tool other than pinpipe proxy (kafka-console-producer, a script); ' +
  'verify cannot account for them: produce through `pinpipe proxy`, or start from empty topics with ' +
  '`npm run sandbox:reset` (wipes the sandbox data)';

function checkProducers(c: TopicCounts, problems: string[], pending: Pending[]): Explained {
  const explained: Explained = { otherProducers: 0, writtenTwice: 0 };
  if (!c.proxy) {
    const atCut = c.ackedAtCut ?? c.sent ?? 0;
    if (c.sent !== null && c.kafka > c.sent) {
      problems.push(
        `Kafka holds ${c.kafka - c.sent} record(s) the emulator did not send, and no pinpipe proxy ledger ` +
          `accounts for them: ${STRAIGHT_TO_KAFKA}`,
      );
    } else if (c.sent !== null && atCut > c.kafka) {
      problems.push(`${atCut - c.kafka} acknowledged record(s) are missing from Kafka`);
    } else if (c.sent !== null && c.sent > c.kafka) {
      pending.push(ackedAfterCut(c.sent - c.kafka));
    }
    return explained;
  }
  const sent = c.sent ?? 0;
  // The emulator's acknowledgements came from the proxy: if its ledger shows fewer (a proxy killed
  // before its last flush), the emulator's count is the better lower bound.
  const acked = Math.max(c.proxy.acknowledged, sent);
  const atCut = c.ackedAtCut ?? acked;
  if (c.kafka < atCut) {
    problems.push(`${atCut - c.kafka} acknowledged record(s) are missing from Kafka`);
  } else if (c.unacknowledged !== undefined) {
    // Offset by offset: the records of the cut the proxy did not acknowledge. Some are explained:
    // records Kafka kept although the proxy answered an error, and records whose acknowledgement
    // the proxy's ledger lost (killed before its last flush: the emulator counted more).
    const keptAfterError = Math.min(c.unacknowledged, c.proxy.failed);
    const ledgerShort = Math.min(c.unacknowledged - keptAfterError, Math.max(0, sent - c.proxy.acknowledged));
    explained.writtenTwice += keptAfterError;
    // The emulator counted more than the proxy's ledger holds: a lost last flush of a killed proxy,
    // or, with every proxy alive or closed, a flush still to come (in flight; verify waits for it first).
    if (ledgerShort > 0 && c.proxyFlushLost === false) pending.push(ledgerBehind(ledgerShort));
    const unexplained = c.unacknowledged - keptAfterError - ledgerShort;
    if (unexplained > 0) {
      problems.push(
        `${unexplained} record(s) in Kafka were neither acknowledged nor refused by the proxy: ${STRAIGHT_TO_KAFKA}`,
      );
    }
    if (acked > c.kafka) pending.push(ackedAfterCut(acked - c.kafka));
  } else {
    const surplus = c.kafka - acked;
    const keptAfterError = Math.min(Math.max(0, surplus), c.proxy.failed);
    explained.writtenTwice += keptAfterError;
    if (surplus > keptAfterError) {
      problems.push(
        `${surplus - keptAfterError} record(s) in Kafka were neither acknowledged nor refused by the proxy: ${STRAIGHT_TO_KAFKA}`,
      );
    }
    if (surplus < 0) pending.push(ackedAfterCut(-surplus));
  }
  if (c.emulatorLive) {
    // Its ledger is written every second: what the proxy acknowledged for it since is not counted
    // as another producer's.
    pending.push({
      inFlight: 'the emulator is still sending (its ledger is written every second)',
      caughtUp: 'the emulator is still sending: wait for it to finish',
    });
    return explained;
  }
  const throughProxy = Math.max(0, acked - sent);
  const resentTwice = Math.min(throughProxy, c.resent ?? 0);
  explained.writtenTwice += resentTwice;
  explained.otherProducers = throughProxy - resentTwice;
  return explained;
}

function ledgerBehind(n: number): Pending {
  return {
    inFlight: `${n} record(s) the emulator was acknowledged are not in the proxy's ledger yet (judged on the next reconciliation)`,
    caughtUp: `${n} record(s) the emulator was acknowledged are not in the proxy's ledger yet: run verify again`,
  };
}

function ackedAfterCut(n: number): Pending {
  return {
    inFlight: `${n} record(s) acknowledged after Kafka's offsets were read (judged on the next reconciliation)`,
    caughtUp: `${n} record(s) were acknowledged while verify read Kafka: records are still being sent`,
  };
}

function checkS3(c: TopicCounts, problems: string[], pending: Pending[]): void {
  const stored = c.s3 + c.s3Errors;
  if (c.committed && c.committed.stored < c.committed.records) {
    problems.push(
      `${c.committed.records - c.committed.stored} record(s) the sink stored (below its committed offsets) ` +
        'are missing from S3: an object was deleted or overwritten; `pinpipe sink` cannot store them again ' +
        'unless its group is reset',
    );
  }
  const beyond = c.s3Beyond ?? Math.max(0, stored - c.kafka);
  if (beyond > 0) {
    problems.push(`S3 holds ${beyond} record(s) more than Kafka's log (objects from an earlier sandbox?)`);
  }
  const notStored = c.kafka - stored - (c.committed ? c.committed.records - c.committed.stored : 0);
  if (notStored > 0) {
    pending.push({
      inFlight:
        `${notStored} record(s) in Kafka are not in S3 yet: ` +
        (c.sinkRunning
          ? 'the running sink stores them with its next objects (flush.size or its rotation interval)'
          : 'no sink is running; `pinpipe sink --drain` stores them'),
      caughtUp: `${notStored} record(s) are in Kafka but not in S3: run \`pinpipe sink --drain\``,
    });
  }
}

function checkBatch(c: TopicCounts, problems: string[], pending: Pending[]): void {
  if (!c.batch) {
    pending.push({
      // with nothing stored yet there is nothing for the batch to read: not in flight
      inFlight:
        (c.s3All ?? c.s3) + c.s3Errors > 0
          ? 'the batch has not run yet (`pinpipe batch`, or its schedule)'
          : undefined,
      caughtUp: 'the batch has not run: run `pinpipe batch`',
    });
    return;
  }
  const inS3 = c.s3All ?? c.s3;
  if (c.batch.records < inS3) {
    pending.push({
      inFlight: `${inS3 - c.batch.records} stored record(s) not read by the batch yet (its next run, or \`pinpipe batch\`)`,
      caughtUp: `the batch read ${c.batch.records} record(s) but S3 holds ${inS3}: run \`pinpipe batch\` again`,
    });
  } else if (c.batch.records > inS3) {
    problems.push(
      `the batch read ${c.batch.records} record(s) but S3 holds ${inS3}: objects were deleted since it ran, ` +
        'or it read another source; `pinpipe batch --full` rebuilds the tables from what S3 holds',
    );
  }
  const expected = c.batch.records - c.batch.quarantined - c.batch.duplicatePosts;
  if (expected !== c.batch.cleanRows) {
    problems.push(
      `clean table has ${c.batch.cleanRows} row(s), expected ${expected} ` +
        `(${c.batch.records} read − ${c.batch.quarantined} quarantined − ${c.batch.duplicatePosts} duplicate posts)`,
    );
  }
}

export function reconcileTopic(c: TopicCounts, opts: ReconcileOptions = {}): TopicVerdict {
  const problems: string[] = [];
  const pending: Pending[] = [];
  const explained = checkProducers(c, problems, pending);
  checkS3(c, problems, pending);
  checkBatch(c, problems, pending);
  if (opts.caughtUp) problems.push(...pending.map((p) => p.caughtUp));
  const inFlight = opts.caughtUp ? [] : pending.flatMap((p) => (p.inFlight ? [p.inFlight] : []));
  return { ...c, ok: problems.length === 0, problems, inFlight, explained };
}

export interface Reconciliation {
  /** No mismatch (exit 0): every record is accounted for, or on its way. */
  ok: boolean;
  /** Some records are on their way (never with `caughtUp`). */
  inFlight: boolean;
  topics: TopicVerdict[];
}

export function reconcile(
  counts: Record<TopicKey, TopicCounts>,
  opts: ReconcileOptions = {},
): Reconciliation {
  const topics = TOPIC_KEYS.map((k) => reconcileTopic(counts[k], opts));
  return {
    ok: topics.every((t) => t.ok),
    inFlight: topics.some((t) => t.inFlight.length > 0),
    topics,
  };
}

/** The reconciliation as a plain-text table, one row per topic, then the problems. */
export function formatReconciliation(r: Pick<Reconciliation, 'ok' | 'topics'>): string {
  const right = ['sent', 'kafka', 's3', 's3 errors/', 'quarantined', 'dup posts', 'clean rows'];
  const columns: TableColumn[] = [
    { header: 'topic' },
    ...right.map((header) => ({ header, align: 'right' as const })),
    { header: 'verdict' },
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
    !t.ok ? 'MISMATCH' : t.inFlight.length > 0 ? 'in flight' : 'ok',
  ]);
  const out = tableLines(columns, rows, { rule: true });
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
    for (const p of t.inFlight) out.push(`  ${t.topic}: ${p} (in flight)`);
    for (const p of t.problems) out.push(`  ${t.topic}: ${p}`);
  }
  out.push(
    !r.ok
      ? 'reconciliation: UNEXPLAINED DIFFERENCES (see above)'
      : r.topics.some((t) => t.inFlight.length > 0)
        ? 'reconciliation: nothing lost, nothing foreign; some records are in flight (see above; `--caught-up` waits for none)'
        : 'reconciliation: every record is accounted for',
  );
  return out.join('\n');
}
