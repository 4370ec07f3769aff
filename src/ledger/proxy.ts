import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseJsonLines } from '../json.ts';
import { mergeRanges, type OffsetRange } from './offset-ranges.ts';

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
 *
 * Each line also holds the offsets of the records it acknowledged, as ranges per topic and partition,
 * so verify can tell, offset by offset, which records in Kafka the proxy answered for (a record in
 * Kafka the proxy has not written down yet is in flight for at most one flush interval).
 *
 * A clean stop ends with a line marked `closed`. A writer (pid) that is gone without one may have
 * lost its last flush; a live writer or a closed one has lost nothing (see `writers`).
 */
export interface TopicAcks {
  acknowledged: number;
  failed: number;
}

export interface AckLedger {
  /** Records acknowledged, with their offsets when known (Kafka's answer). */
  acknowledged(
    topic: string,
    records: number,
    offsets?: ReadonlyArray<{ partition: number; offset: number }>,
  ): void;
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
  /** topic → partition → acknowledged offset ranges [start, end); absent in lines of older proxies. */
  offsets?: Record<string, Record<string, OffsetRange[]>>;
  /** The writer's last line: it stopped cleanly, having flushed everything. */
  closed?: true;
}

const counts = z.record(z.string(), z.number());
/** A line as read: what the totals need (`at` and `pid` are written for people reading the file). */
const ledgerLineSchema = z.object({
  at: z.string().optional(),
  pid: z.number().optional(),
  acknowledged: counts.optional(),
  failed: counts.optional(),
  offsets: z.record(z.string(), z.record(z.string(), z.array(z.tuple([z.number(), z.number()])))).optional(),
  closed: z.boolean().optional(),
});

export const ACK_LEDGER_FLUSH_MS = 250;

export function openAckLedger(file: string, flushMs = ACK_LEDGER_FLUSH_MS): AckLedger {
  let acked: Record<string, number> = {};
  let failed: Record<string, number> = {};
  let offsets: Record<string, Record<string, OffsetRange[]>> = {};
  let pending = false;
  let wrote = false;
  /** `closed`: the last line, written when this writer wrote before (a reader knows it stopped cleanly). */
  const flush = (closed = false) => {
    if (!pending && !(closed && wrote)) return;
    for (const parts of Object.values(offsets))
      for (const [p, ranges] of Object.entries(parts)) parts[p] = mergeRanges(ranges);
    const line: LedgerLine = {
      at: new Date().toISOString(),
      pid: process.pid,
      acknowledged: acked,
      failed,
      offsets,
      ...(closed ? { closed: true as const } : {}),
    };
    acked = {};
    failed = {};
    offsets = {};
    pending = false;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
    wrote = true;
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
    acknowledged: (topic, n, at) => {
      add(acked, topic, n);
      if (!at?.length) return;
      const parts = (offsets[topic] ??= {});
      for (const o of at) {
        const ranges = (parts[o.partition] ??= []);
        const last = ranges[ranges.length - 1];
        if (last && last[1] === o.offset) last[1]++;
        else ranges.push([o.offset, o.offset + 1]);
      }
    },
    failed: (topic, n) => add(failed, topic, n),
    flush: () => flush(),
    close: () => {
      clearInterval(timer);
      flush(true);
    },
  };
}

/** Per topic: the offsets the proxy acknowledged, and how many it acknowledged without offsets. */
export interface AckedOffsets {
  /** partition → merged ranges [start, end). */
  ranges: Map<number, OffsetRange[]>;
  /** Records acknowledged in lines without offsets (written by an older proxy). */
  withoutOffsets: number;
}

/** Totals per topic over the whole file; undefined when the file does not exist. */
export function readAckLedger(file: string): Map<string, TopicAcks> | undefined {
  return readAckLedgerDetail(file)?.totals;
}

/** Who wrote a ledger: each writer's pid, and whether its last line says it stopped cleanly. */
export interface LedgerWriter {
  pid: number;
  closed: boolean;
}

/**
 * Totals and acknowledged offsets per topic over the whole file, and its writers; undefined when it
 * does not exist.
 */
export function readAckLedgerDetail(
  file: string,
):
  | { totals: Map<string, TopicAcks>; offsets: Map<string, AckedOffsets>; writers: LedgerWriter[] }
  | undefined {
  if (!fs.existsSync(file)) return undefined;
  const totals = new Map<string, TopicAcks>();
  const raw = new Map<string, { ranges: Map<number, OffsetRange[]>; withoutOffsets: number }>();
  const rawOf = (topic: string) => {
    let r = raw.get(topic);
    if (!r) raw.set(topic, (r = { ranges: new Map(), withoutOffsets: 0 }));
    return r;
  };
  const get = (topic: string) => {
    let t = totals.get(topic);
    if (!t) totals.set(topic, (t = { acknowledged: 0, failed: 0 }));
    return t;
  };
  const fix = { fix: 'Move it aside; the proxy starts a new one.' };
  const writers = new Map<number, LedgerWriter>();
  for (const line of parseJsonLines(file, fs.readFileSync(file, 'utf8'), ledgerLineSchema, fix)) {
    if (line.pid !== undefined) writers.set(line.pid, { pid: line.pid, closed: line.closed === true });
    for (const [topic, n] of Object.entries(line.acknowledged ?? {})) {
      get(topic).acknowledged += n;
      const parts = line.offsets?.[topic];
      if (!parts) {
        rawOf(topic).withoutOffsets += n;
        continue;
      }
      const r = rawOf(topic);
      for (const [p, ranges] of Object.entries(parts)) {
        const list = r.ranges.get(Number(p));
        if (list) list.push(...ranges);
        else r.ranges.set(Number(p), [...ranges]);
      }
    }
    for (const [topic, n] of Object.entries(line.failed ?? {})) get(topic).failed += n;
  }
  const offsets = new Map<string, AckedOffsets>();
  for (const [topic, r] of raw) {
    offsets.set(topic, {
      withoutOffsets: r.withoutOffsets,
      ranges: new Map([...r.ranges].map(([p, list]) => [p, mergeRanges(list)])),
    });
  }
  return { totals, offsets, writers: [...writers.values()] };
}
