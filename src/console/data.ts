import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { RowDataPacket } from 'mysql2/promise';
import { type Profile, topicNames } from '../config/index.ts';
import { createKafkaAdmin, type KafkaAdmin as Admin } from '../clients/kafka.ts';
import { groupOffsets, topicOffsets } from '../clients/kafka-topics.ts';
import { readOffsetWindows } from '../clients/kafka-read.ts';
import { createS3 } from '../clients/s3.ts';
import { createMysqlPool, type MysqlPool } from '../clients/mysql.ts';
import { describeError } from '../errors.ts';
import { SOURCE_TABLES } from '../emulator/index.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import { lastBatchSummary, Verifier } from '../verify/index.ts';
import { ledgerTotals } from '../ledger/index.ts';
import { readSinkStatus, sinkStatusPath } from '../sink/index.ts';
import { latestResultsDir, readResults, renderReportHtml, resultsRoot } from '../report/index.ts';
import {
  HttpProblem,
  decodeValue,
  hasInd,
  mayHoldInd,
  Paced,
  lagPerPartition,
  parsePrometheus,
  proxyFigures,
  withSinkLag,
  sumSamples,
  type ProxyFigures,
  type PromSample,
  newestFirst,
  previewLines,
  recordWindows,
  startCommand,
  toPartitionOffsets,
  type BrowsedRecord,
  type OffsetWindow,
  type PartitionLag,
  type PartitionOffsets,
  type Stage,
  type StageId,
} from './logic.ts';

export interface TopicFigures {
  key: TopicKey;
  topic: string;
  /** Records in the log (high − low over partitions); null when Kafka is down. */
  records: number | null;
  sinkLag: number | null;
  /** Lag per partition; null when the sink group cannot be read. */
  partitions: PartitionLag[] | null;
  offsets: PartitionOffsets[] | null;
  s3: { objects: number; bytes: number } | null;
}

export interface PipelineFigures {
  at: string;
  profile: string;
  stages: Stage[];
  sourceRows: Record<TopicKey, number> | null;
  emulated: { runs: number; acknowledged: Record<TopicKey, number> };
  topics: TopicFigures[];
  sink: {
    state: string;
    members: number;
    /** From the sink's /metrics when it serves them (docs/metrics.md); lag per partition too then. */
    metrics: null | { records: number; objects: number; bytes: number; errorRecords: number };
  } | null;
  /** From the proxy's /metrics; null when the proxy is down or serves none. */
  proxy: ProxyFigures | null;
  s3: { objects: number; bytes: number } | null;
  /** pinpipe verify's reconciliation, recomputed at most every VERDICT_MS while a page is open. */
  verdict: Verdict;
  lastBatch: null | {
    generatedAt: string;
    runDate: string;
    rows: Record<string, number>;
    quarantined: number | null;
    durationMs: number;
  };
}

const PROBE_MS = 2500;
/**
 * The reconciliation lists the bucket (and reads only new or rewritten objects): recomputed at most
 * this often, so a record lost or written around the proxy shows within seconds.
 */
export const VERDICT_MS = 2000;
/** A find by ind answers with what it read by then (`partial`). */
export const FIND_MS = 10_000;

export type Verdict =
  | { state: 'pending' }
  | { state: 'unavailable'; reason: string; at: string }
  | {
      /** ok: every record accounted for; inflight: nothing lost or foreign, some on their way. */
      state: 'ok' | 'inflight' | 'mismatch';
      at: string;
      topics: Array<{ topic: string; ok: boolean; problems: string[]; inFlight: string[] }>;
    };

/** The quarantine of the last batch: its totals and its first entries, with each line's text. */
export interface QuarantineView {
  runDate: string;
  total: number;
  byReason: Record<string, number>;
  perTopic: Record<string, number>;
  entries: Array<{
    topic: string;
    key: string;
    line: number;
    offset: number;
    reason: string;
    text: string | null;
  }>;
  /** Where every entry is (the samples are the first ones). */
  duckdbPath: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Every read the console makes, on long-lived clients built from the profile. */
export class ConsoleData {
  readonly profile: Profile;
  private readonly names: Record<TopicKey, string>;
  private admin: Admin | undefined;
  private readonly s3: S3Client;
  private readonly pool: MysqlPool;

  /** How long a reconciliation verdict is reused (VERDICT_MS unless given). */
  private readonly verdictMs: number;
  /** How long a find by ind reads before it answers with what it found (FIND_MS unless given). */
  private readonly findMs: number;
  /** Remembers the stored objects between verdicts: a refresh reads only new or rewritten ones. */
  private readonly verifier: Verifier;

  /** Told of each verdict as soon as it is reached (the server pushes it to open pages at once). */
  private readonly onVerdict: (v: Verdict) => void;

  constructor(
    profile: Profile,
    opts: { verdictMs?: number; findMs?: number; onVerdict?: (v: Verdict) => void } = {},
  ) {
    this.profile = profile;
    this.verdictMs = opts.verdictMs ?? VERDICT_MS;
    this.onVerdict = opts.onVerdict ?? (() => {});
    this.findMs = opts.findMs ?? FIND_MS;
    this.names = topicNames(profile);
    this.s3 = createS3(profile, { maxAttempts: 1 });
    this.pool = createMysqlPool(profile, { connectionLimit: 2, connectTimeout: 1500 });
    this.verifier = new Verifier(profile);
    this.s3Paced = new Paced(() => this.s3Figures());
  }

  /** The S3 figures list every object under topics/: re-listed at most a tenth of the time. */
  private readonly s3Paced: Paced<Record<TopicKey, { objects: number; bytes: number }>>;

  async close(): Promise<void> {
    await this.admin?.close().catch(() => {});
    await this.verdictRunning;
    this.s3.destroy();
    this.verifier.close();
    await this.pool.end().catch(() => {});
  }

  private stage(id: StageId, label: string, err?: unknown): Stage {
    if (err === undefined) return { id, label, state: 'up' };
    return {
      id,
      label,
      state: 'down',
      reason: describeError(err),
      start: startCommand(id, { name: this.profile.name, sandboxEnabled: this.profile.sandbox.enabled }),
    };
  }

  /** The admin connects on its first request; one whose call failed is closed and rebuilt. */
  private connectedAdmin(): Admin {
    this.admin ??= createKafkaAdmin(this.profile, {
      retries: 1,
      retryDelay: 100,
      connectTimeout: 1500,
      requestTimeout: 5000,
    });
    return this.admin;
  }

  /** Runs an admin call; a failure drops the connection so the next call reconnects. */
  private async withAdmin<T>(f: (a: Admin) => Promise<T>, dropOnError = true): Promise<T> {
    const admin = this.connectedAdmin();
    try {
      return await withTimeout(f(admin), PROBE_MS, 'Kafka');
    } catch (err) {
      if (!dropOnError) throw err;
      if (this.admin === admin) this.admin = undefined;
      await admin.close().catch(() => {});
      throw err;
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.withAdmin(async (a) => toPartitionOffsets(await topicOffsets(a, topic)));
  }

  /** The topic names of this pipeline, or 404 for any other name. */
  knownTopic(topic: string): TopicKey {
    const key = TOPIC_KEYS.find((k) => this.names[k] === topic);
    if (!key) {
      throw new HttpProblem(
        404,
        'NOT_FOUND',
        `Unknown topic ${topic}: this pipeline's topics are ${TOPIC_KEYS.map((k) => this.names[k]).join(', ')}.`,
      );
    }
    return key;
  }

  private async sourceRows(): Promise<Record<TopicKey, number>> {
    const out = {} as Record<TopicKey, number>;
    for (const k of TOPIC_KEYS) {
      const [rows] = await withTimeout(
        this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ??', [SOURCE_TABLES[k].table]),
        PROBE_MS,
        'MySQL',
      );
      out[k] = Number(rows[0]?.n ?? 0);
    }
    return out;
  }

  /**
   * Per-topic offsets (Kafka down when they fail) and the sink group's commits and members (the
   * sink alone down when only they fail, e.g. while the group coordinator is still starting).
   */
  private async kafkaFigures(): Promise<{
    perTopic: Record<TopicKey, PartitionLag[]>;
    sink: { state: string; members: number } | null;
    sinkError: unknown;
  }> {
    const offsets = {} as Record<TopicKey, PartitionOffsets[]>;
    await this.withAdmin(async (a) => {
      for (const k of TOPIC_KEYS) offsets[k] = toPartitionOffsets(await topicOffsets(a, this.names[k]));
    });
    let committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
    let sink: { state: string; members: number } | null = null;
    let sinkError: unknown;
    try {
      await this.withAdmin(async (a) => {
        committed = await groupOffsets(
          a,
          this.profile.sink.groupId,
          TOPIC_KEYS.map((k) => this.names[k]),
        );
        const g = (await a.describeGroups({ groups: [this.profile.sink.groupId] })).get(
          this.profile.sink.groupId,
        );
        sink = { state: g?.state ?? 'Dead', members: g?.members.size ?? 0 };
      }, false);
    } catch (err) {
      sinkError = err;
    }
    const perTopic = {} as Record<TopicKey, PartitionLag[]>;
    for (const k of TOPIC_KEYS) {
      perTopic[k] = lagPerPartition(
        offsets[k],
        committed.find((c) => c.topic === this.names[k])?.partitions ?? [],
      );
    }
    return { perTopic, sink, sinkError };
  }

  private async s3Figures(): Promise<Record<TopicKey, { objects: number; bytes: number }>> {
    const out = {} as Record<TopicKey, { objects: number; bytes: number }>;
    for (const k of TOPIC_KEYS) {
      let objects = 0;
      let bytes = 0;
      let token: string | undefined;
      do {
        const page = await withTimeout(
          this.s3.send(
            new ListObjectsV2Command({
              Bucket: this.profile.s3.bucket,
              Prefix: `${this.profile.s3.topicsDir}/${this.names[k]}/`,
              ContinuationToken: token,
            }),
          ),
          PROBE_MS,
          'S3',
        );
        for (const o of page.Contents ?? []) {
          objects++;
          bytes += o.Size ?? 0;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      out[k] = { objects, bytes };
    }
    return out;
  }

  /**
   * The proxy's figures from its /metrics (docs/metrics.md). It is up when it answers at all; a
   * proxy that serves no metrics (another implementation behind proxy.url) gives null figures.
   */
  private async proxyMetrics(): Promise<ProxyFigures | null> {
    const url = `${this.profile.proxy.url.replace(/\/$/, '')}/metrics`;
    let res: Response;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    } catch (err) {
      throw new Error(`GET ${url} failed (${describeError((err as { cause?: unknown }).cause ?? err)})`, {
        cause: err,
      });
    }
    const text = await res.text().catch(() => '');
    if (res.status !== 200) return null;
    return proxyFigures(parsePrometheus(text));
  }

  /** The sink's /metrics, when a running sink of this profile's group serves them. */
  private async sinkMetrics(): Promise<PromSample[] | null> {
    const status = readSinkStatus(sinkStatusPath(this.profile, this.profile.sink.groupId));
    if (!status?.metricsUrl) return null;
    try {
      const res = await fetch(status.metricsUrl, { signal: AbortSignal.timeout(1500) });
      if (res.status !== 200) return null;
      return parsePrometheus(await res.text());
    } catch {
      return null;
    }
  }

  private verdictNow: Verdict = { state: 'pending' };
  private verdictAt = 0;
  private verdictRunning: Promise<void> | undefined;

  /** Starts a reconciliation in the background when the last one is older than verdictMs. */
  private refreshVerdict(): void {
    if (this.verdictRunning || Date.now() - this.verdictAt < this.verdictMs) return;
    // counted from the start of a run: a verdict starts every verdictMs while a page is open
    this.verdictAt = Date.now();
    this.verdictRunning = this.verifier
      .run()
      .then(
        (r) => {
          this.verdictNow = {
            state: !r.ok ? 'mismatch' : r.inFlight ? 'inflight' : 'ok',
            at: new Date().toISOString(),
            topics: r.topics.map((t) => ({
              topic: t.topic,
              ok: t.ok,
              problems: t.problems,
              inFlight: t.inFlight,
            })),
          };
        },
        (err: unknown) => {
          this.verdictNow = {
            state: 'unavailable',
            reason: describeError(err),
            at: new Date().toISOString(),
          };
        },
      )
      .finally(() => {
        this.verdictRunning = undefined;
        this.onVerdict(this.verdictNow);
      });
  }

  /** The verdict now, waiting for one to finish (tests and the first page load). */
  async verdict(): Promise<Verdict> {
    this.refreshVerdict();
    await this.verdictRunning;
    return this.verdictNow;
  }

  /** Every stage's figures; each part fails on its own and marks its stage down. */
  async figures(): Promise<PipelineFigures> {
    const settle = <T>(p: Promise<T>) =>
      p.then(
        (value) => ({ value, error: undefined as unknown }),
        (error: unknown) => ({ value: undefined, error: error ?? new Error('failed') }),
      );
    this.refreshVerdict();
    const [mysql, kafka, s3, proxy, sinkSamples] = await Promise.all([
      settle(this.sourceRows()),
      settle(this.kafkaFigures()),
      settle(this.s3Paced.get()),
      settle(this.proxyMetrics()),
      this.sinkMetrics(),
    ]);
    const summary = (() => {
      try {
        return lastBatchSummary(this.profile);
      } catch {
        return undefined;
      }
    })();
    const sinkUp = (kafka.value?.sink?.members ?? 0) > 0;
    const stages: Stage[] = [
      this.stage('mysql', 'MySQL source', mysql.error),
      { id: 'emulator', label: 'Emulator', state: 'idle', start: startCommand('emulator', this.opts()) },
      this.profile.sandbox.enabled
        ? this.stage('gateway', 'API Gateway', s3.error)
        : { id: 'gateway', label: 'API Gateway', state: 'idle' },
      this.stage('proxy', 'REST proxy', proxy.error),
      this.stage('kafka', 'Kafka topics', kafka.error),
      kafka.error
        ? this.stage('sink', 'Sink', new Error('Kafka is down'))
        : kafka.value?.sinkError !== undefined
          ? this.stage('sink', 'Sink', kafka.value?.sinkError)
          : sinkUp
            ? this.stage('sink', 'Sink')
            : this.stage(
                'sink',
                'Sink',
                new Error(`no consumer in group ${this.profile.sink.groupId} (${kafka.value?.sink?.state})`),
              ),
      this.stage('s3', 'S3', s3.error),
      summary
        ? this.stage('batch', 'Batch')
        : { id: 'batch', label: 'Batch', state: 'idle', start: startCommand('batch', this.opts()) },
      summary
        ? this.stage('results', 'Results')
        : { id: 'results', label: 'Results', state: 'idle', start: startCommand('results', this.opts()) },
    ];
    const s3Totals = s3.value
      ? TOPIC_KEYS.reduce(
          (a, k) => ({ objects: a.objects + s3.value![k].objects, bytes: a.bytes + s3.value![k].bytes }),
          { objects: 0, bytes: 0 },
        )
      : null;
    return {
      at: new Date().toISOString(),
      profile: this.profile.name,
      stages,
      sourceRows: mysql.value ?? null,
      emulated: ledgerTotals(this.profile),
      topics: TOPIC_KEYS.map((k) => {
        const parts = withSinkLag(kafka.value?.perTopic[k] ?? null, sinkSamples, this.names[k]);
        return {
          key: k,
          topic: this.names[k],
          records: parts ? parts.reduce((a, p) => a + p.high - p.low, 0) : null,
          sinkLag: parts && kafka.value?.sink ? parts.reduce((a, p) => a + p.lag, 0) : null,
          partitions: kafka.value?.sink ? parts : null,
          offsets: parts?.map(({ partition, low, high }) => ({ partition, low, high })) ?? null,
          s3: s3.value?.[k] ?? null,
        };
      }),
      sink: kafka.value?.sink
        ? {
            ...kafka.value.sink,
            metrics: sinkSamples
              ? {
                  records: sumSamples(sinkSamples, 'pinpipe_sink_records_total'),
                  objects: sumSamples(sinkSamples, 'pinpipe_sink_objects_total'),
                  bytes: sumSamples(sinkSamples, 'pinpipe_sink_bytes_total'),
                  errorRecords: sumSamples(sinkSamples, 'pinpipe_sink_error_records_total'),
                }
              : null,
          }
        : null,
      proxy: proxy.value ?? null,
      s3: s3Totals,
      verdict: this.verdictNow,
      lastBatch: summary
        ? {
            generatedAt: summary.generatedAt,
            runDate: summary.runDate,
            rows: summary.rows,
            quarantined: summary.quarantined?.total ?? null,
            durationMs: summary.durationMs,
          }
        : null,
    };
  }

  private opts() {
    return { name: this.profile.name, sandboxEnabled: this.profile.sandbox.enabled };
  }

  /** A topic's partitions and the records a query names (see recordWindows). */
  async records(
    topic: string,
    q: { partition?: number; offset?: number; limit: number },
  ): Promise<{ topic: string; partitions: PartitionOffsets[]; records: BrowsedRecord[]; partial: boolean }> {
    this.knownTopic(topic);
    const partitions = await this.kafkaOr503(() => this.topicOffsets(topic));
    const windows = recordWindows(partitions, q);
    const { records, partial } = windows.length
      ? await this.kafkaOr503(() => readWindows(this.profile, topic, windows, 10_000))
      : { records: [], partial: false };
    const ordered =
      q.partition === undefined
        ? newestFirst(records, q.limit)
        : [...records].sort((a, b) => b.offset - a.offset);
    return { topic, partitions, records: ordered, partial };
  }

  private async kafkaOr503<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw new HttpProblem(
        503,
        'KAFKA_UNAVAILABLE',
        `Kafka cannot be read (${describeError(err)}). Start it: ${startCommand('kafka', this.opts())}.`,
      );
    }
  }

  private s3Unavailable(err: unknown): HttpProblem {
    return new HttpProblem(
      503,
      'S3_UNAVAILABLE',
      `S3 cannot be read (${describeError(err)}). Start it: ${startCommand('s3', this.opts())}.`,
    );
  }

  /** One level of the bucket under `prefix`: sub-folders and objects with their sizes. */
  async s3List(prefix: string): Promise<{
    bucket: string;
    prefix: string;
    folders: string[];
    objects: Array<{ key: string; size: number; modified: string | null }>;
    truncated: boolean;
  }> {
    try {
      const page = await withTimeout(
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: this.profile.s3.bucket,
            Prefix: prefix,
            Delimiter: '/',
            MaxKeys: 500,
          }),
        ),
        PROBE_MS,
        'S3',
      );
      return {
        bucket: this.profile.s3.bucket,
        prefix,
        folders: (page.CommonPrefixes ?? []).map((p) => p.Prefix ?? '').filter(Boolean),
        objects: (page.Contents ?? []).map((o) => ({
          key: o.Key ?? '',
          size: o.Size ?? 0,
          modified: o.LastModified?.toISOString() ?? null,
        })),
        truncated: page.IsTruncated ?? false,
      };
    } catch (err) {
      throw this.s3Unavailable(err);
    }
  }

  /** The first `lines` lines of an object (read from its first 256 KiB); 404 when it is missing. */
  async s3Preview(key: string, lines: number) {
    try {
      const res = await withTimeout(
        this.s3.send(
          new GetObjectCommand({ Bucket: this.profile.s3.bucket, Key: key, Range: 'bytes=0-262143' }),
        ),
        PROBE_MS,
        'S3',
      );
      const text = (await res.Body?.transformToString('utf8')) ?? '';
      return {
        key,
        size: Number(res.ContentRange?.split('/')[1] ?? text.length),
        ...previewLines(text, lines),
      };
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') {
        throw new HttpProblem(404, 'NOT_FOUND', `No object s3://${this.profile.s3.bucket}/${key}.`);
      }
      throw this.s3Unavailable(err);
    }
  }

  /** The last batch's quarantine (its first entries with each line's text); 404 before any batch. */
  quarantine(): QuarantineView {
    let summary;
    try {
      summary = lastBatchSummary(this.profile);
    } catch (err) {
      throw new HttpProblem(404, 'NO_RESULTS', describeError(err));
    }
    if (!summary) {
      throw new HttpProblem(
        404,
        'NO_RESULTS',
        `No batch has run yet for profile ${this.profile.name}: run ${startCommand('batch', this.opts())}.`,
      );
    }
    const q = summary.quarantined;
    return {
      runDate: summary.runDate,
      total: q.total,
      byReason: q.byReason,
      perTopic: q.perTopic as Record<string, number>,
      entries: q.samples.map((e) => ({
        topic: e.topic,
        key: e.key,
        line: e.line,
        offset: e.offset,
        reason: e.reason,
        text: e.text,
      })),
      duckdbPath: summary.duckdbPath,
    };
  }

  /**
   * The records of a topic whose post index is `ind` (field `index` in pin, `ind` in geo and
   * user), scanning every partition from its low offset; at most 20, within 10 s (`partial` then),
   * in offset order.
   */
  async findInd(topic: string, ind: number) {
    const key = this.knownTopic(topic);
    const field = SOURCE_TABLES[key].key;
    const partitions = await this.kafkaOr503(() => this.topicOffsets(topic));
    const windows = partitions
      .filter((p) => p.high > p.low)
      .map((p) => ({ partition: p.partition, from: p.low, to: p.high }));
    const { records, partial, scanned } = windows.length
      ? await this.kafkaOr503(() =>
          readWindows(this.profile, topic, windows, this.findMs, {
            keep: (r) => hasInd(r.value, field, ind),
            mayMatch: (raw) => mayHoldInd(raw, ind),
            max: 20,
            fetchBytes: 4 * 2 ** 20,
          }),
        )
      : { records: [], partial: false, scanned: 0 };
    return {
      topic,
      ind,
      field,
      records: [...records].sort((a, b) => a.offset - b.offset || a.partition - b.partition),
      scanned,
      total: partitions.reduce((n, p) => n + p.high - p.low, 0),
      partial,
    };
  }

  /** The last batch's results as the report's HTML page (tables and charts). */
  async resultsHtml(): Promise<string> {
    try {
      const dir = await latestResultsDir(resultsRoot(this.profile));
      const { results, summary } = await readResults(dir);
      return renderReportHtml(results, {
        source: dir,
        profile: this.profile.name,
        summary,
        runDate: (summary as { runDate?: string } | undefined)?.runDate,
      });
    } catch (err) {
      throw new HttpProblem(404, 'NO_RESULTS', describeError(err));
    }
  }
}

/**
 * Reads the offsets of `windows` from one topic (src/clients/kafka-read.ts), every partition at
 * once; a scan passes a larger `fetchBytes` per partition; `mayMatch` skips a record from its raw
 * bytes before it is decoded (it must say yes to every record `keep` keeps).
 */
export async function readWindows(
  profile: Profile,
  topic: string,
  windows: OffsetWindow[],
  timeoutMs: number,
  filter: {
    keep?: (r: BrowsedRecord) => boolean;
    mayMatch?: (raw: Buffer) => boolean;
    max?: number;
    fetchBytes?: number;
  } = {},
): Promise<{ records: BrowsedRecord[]; partial: boolean; scanned: number }> {
  const out: BrowsedRecord[] = [];
  let scanned = 0;
  const { partial } = await readOffsetWindows(profile, topic, windows, {
    timeoutMs,
    fetchBytes: filter.fetchBytes,
    onRecord: (m) => {
      scanned++;
      const raw = m.value;
      if (filter.mayMatch && !(raw && filter.mayMatch(raw))) return true;
      const r: BrowsedRecord = {
        partition: m.partition,
        offset: m.offset,
        timestamp: m.timestamp,
        key: m.key?.toString('utf8') ?? null,
        value: decodeValue(raw?.toString('utf8') ?? null),
      };
      if (!filter.keep || filter.keep(r)) out.push(r);
      return filter.max === undefined || out.length < filter.max;
    },
  });
  if (partial && scanned === 0) throw new Error(`no records of ${topic} arrived within ${timeoutMs} ms`);
  return { records: out, partial, scanned };
}
