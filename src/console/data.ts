import type { Profile } from '../config/index.ts';
import { ledgerTotals } from '../ledger/index.ts';
import { lastBatch, quarantine, resultsHtml, type QuarantineView } from './batch-source.ts';
import { pipelineFigures, settle, type PipelineFigures } from './figures.ts';
import { KafkaSource } from './kafka-source.ts';
import { TopicRecords } from './kafka-records.ts';
import { proxyMetrics, sinkMetrics } from './metrics-source.ts';
import { MysqlSource } from './mysql-source.ts';
import { S3Source } from './s3-source.ts';
import { VerdictKeeper, type Verdict } from './verdict.ts';

/**
 * Every read the console makes, one source per store on long-lived clients built from the profile:
 * MySQL, Kafka (figures, and the topic browser), S3, the proxy's and the sink's /metrics, the
 * verdict, the last batch.
 */
export class ConsoleData {
  readonly profile: Profile;
  private readonly mysql: MysqlSource;
  private readonly kafka: KafkaSource;
  private readonly topics: TopicRecords;
  private readonly s3: S3Source;
  private readonly verdicts: VerdictKeeper;

  constructor(
    profile: Profile,
    opts: {
      /** How long a reconciliation verdict is reused (VERDICT_MS unless given). */
      verdictMs?: number;
      /** How long a find by ind reads before it answers with what it found (FIND_MS unless given). */
      findMs?: number;
      /** Told of each verdict as soon as it is reached (the server pushes it to open pages at once). */
      onVerdict?: (v: Verdict) => void;
    } = {},
  ) {
    this.profile = profile;
    this.mysql = new MysqlSource(profile);
    this.kafka = new KafkaSource(profile);
    this.topics = new TopicRecords(profile, this.kafka, opts.findMs);
    this.s3 = new S3Source(profile);
    this.verdicts = new VerdictKeeper(profile, opts.verdictMs, opts.onVerdict);
  }

  async close(): Promise<void> {
    await this.kafka.close();
    await this.verdicts.close();
    this.s3.close();
    await this.mysql.close();
  }

  /** Every stage's figures; each part fails on its own and marks its stage down. */
  async figures(): Promise<PipelineFigures> {
    this.verdicts.refresh();
    const [mysql, kafka, s3, proxy, sinkSamples] = await Promise.all([
      settle(this.mysql.sourceRows()),
      settle(this.kafka.figures()),
      settle(this.s3.figures()),
      settle(proxyMetrics(this.profile)),
      sinkMetrics(this.profile),
    ]);
    return pipelineFigures(this.profile, {
      at: new Date(),
      mysql,
      kafka,
      s3,
      proxy,
      sinkSamples,
      batch: lastBatch(this.profile),
      emulated: ledgerTotals(this.profile),
      verdict: this.verdicts.current,
    });
  }

  /** The verdict now, waiting for one to finish (tests and the first page load). */
  verdict(): Promise<Verdict> {
    return this.verdicts.verdict();
  }

  records(topic: string, q: { partition?: number; offset?: number; limit: number }) {
    return this.topics.records(topic, q);
  }

  findInd(topic: string, ind: number) {
    return this.topics.findInd(topic, ind);
  }

  s3List(prefix: string) {
    return this.s3.list(prefix);
  }

  s3Preview(key: string, lines: number) {
    return this.s3.preview(key, lines);
  }

  quarantine(): QuarantineView {
    return quarantine(this.profile);
  }

  resultsHtml(): Promise<string> {
    return resultsHtml(this.profile);
  }
}
