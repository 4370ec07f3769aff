import {
  createKafkaAdmin,
  createKafkaConsumer,
  createS3,
  kafkaFailure,
  type KafkaAdmin,
} from '../clients/index.ts';
import { type Profile, readEnv } from '../config/index.ts';
import { PinpipeError } from '../errors.ts';
import { log } from '../log.ts';
import { topicsRoot } from './keys.ts';
import { committedOffsets, topicOffsets } from './group-reads.ts';
import { lagOf, parseTpKey } from './offsets.ts';
import { resolveSinkOptions, selectTopics, type ResolvedSinkOptions } from './options.ts';
import { ensureBucket } from './s3-store.ts';
import { SinkRunner, asPinpipeError } from './sink-runner.ts';
import type { PartitionSummary, RunSinkOptions, SinkSummary } from './types.ts';
import { removeSinkStatus, sinkStatusPath, writeSinkStatus } from './status-file.ts';
import { SinkMetrics, serveSinkMetrics, type MetricsServer } from './metrics.ts';

/**
 * `pinpipe sink`: Kafka → S3 in the Confluent S3 sink layout, exactly once across crashes
 * (docs/spec.md#s3-layout, docs/sink.md). Read (options, bucket, topics) → run the consumer group →
 * flush and commit on drain or signal → summary.
 */
export async function runSink(opts: RunSinkOptions): Promise<SinkSummary> {
  const o = resolveSinkOptions({ ...opts, faultPoint: opts.faultPoint ?? readEnv().sinkFaultPoint });
  const logger = opts.logger ?? log();
  const started = Date.now();
  const s3 = createS3(opts.profile);
  const admin = createKafkaAdmin(opts.profile);
  const consumer = createKafkaConsumer(opts.profile, {
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(o.sessionTimeoutMs / 6)),
    rebalanceTimeout: Math.max(o.sessionTimeoutMs, 30_000),
    autocommit: false,
  });
  let consumerStarted = false;
  let runner: SinkRunner | undefined;
  let statusTimer: NodeJS.Timeout | undefined;
  const statusFile = sinkStatusPath(opts.profile, o.groupId);
  const metricsPort = opts.metricsPort ?? opts.profile.sink.metricsPort;
  let metricsServer: MetricsServer | undefined;
  try {
    const metrics = new SinkMetrics();
    if (metricsPort !== undefined) {
      metricsServer = await serveSinkMetrics(metrics, metricsPort);
      logger.info(`sink metrics on ${metricsServer.url}`);
      opts.onMetrics?.(metricsServer.url);
    }
    await ensureBucket(s3, o.bucket, o.createBucket, logger, o.uploadRetry.maxRetryTimeMs);
    const topics = await resolveTopics(admin, o, opts.profile);
    const sink = new SinkRunner(o, topics, consumer, admin, s3, logger);
    runner = sink;
    const state = sink.state;
    metrics.watch({
      counters: state.counters,
      assigned: state.assigned,
      highWatermark: (k) => state.highWatermarks.get(k),
      position: (k) => state.position(k),
      buffered: () => state.buffered(),
    });
    sink.onStored = (seconds) => metrics.flushSeconds.observe(seconds);
    // For `pinpipe status`: buffered records apart from lag, while the sink runs.
    statusTimer = setInterval(() => {
      try {
        const at = new Date().toISOString();
        writeSinkStatus(statusFile, {
          pid: process.pid,
          at,
          groupId: o.groupId,
          topics: sink.state.perTopic(),
          ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
        });
      } catch {
        // status is best effort
      }
    }, 1000);
    statusTimer.unref();
    logger.info(
      `sink: ${topics.join(', ')} → s3://${o.bucket}/${topicsRoot(o.layout)}/ ` +
        `(group ${o.groupId}, flush.size ${o.flushSize}` +
        (o.rotateIntervalMs ? `, rotate.interval.ms ${o.rotateIntervalMs}` : '') +
        (o.rotateScheduleIntervalMs ? `, rotate.schedule.interval.ms ${o.rotateScheduleIntervalMs}` : '') +
        `${o.drain ? ', --drain' : ''}${o.faultPoint ? `, fault point ${o.faultPoint} armed (tests only)` : ''})`,
    );
    sink.attach();
    consumerStarted = true;
    // the topics are the group subscription; each generation's stream reads its assignment of them
    consumer.topics.trackAll(...topics);
    await consumer.joinGroup({}).catch((err: unknown) => {
      throw kafkaFailure(err, opts.profile, `join the sink's consumer group ${o.groupId}`);
    });
    const stoppedBy = await sink.run(opts.signal, opts.catchUp);
    sink.detach();
    await sink.settled();
    await consumer.close(true);
    consumerStarted = false;
    const summary = await summarise(o, topics, sink, admin, stoppedBy, started);
    logger.info(
      `sink stopped (${stoppedBy}): ${summary.recordsWritten} records in ${summary.objectsWritten} objects, ` +
        `${summary.errorRecords} to errors/, ${summary.recordsPerSecond} records/s, lag ${summary.lag}`,
    );
    return summary;
  } catch (err) {
    throw asPinpipeError(err);
  } finally {
    if (statusTimer) {
      clearInterval(statusTimer);
      removeSinkStatus(statusFile);
    }
    runner?.detach();
    await runner?.settled();
    if (consumerStarted) await consumer.close(true).catch(() => undefined);
    await admin.close().catch(() => undefined);
    await metricsServer?.close();
    s3.destroy();
  }
}

async function resolveTopics(admin: KafkaAdmin, o: ResolvedSinkOptions, profile: Profile): Promise<string[]> {
  const existing = await admin.listTopics().catch((err: unknown) => {
    // Authentication and credential failures name themselves; the rest is "broker unreachable".
    throw kafkaFailure(err, profile, 'connect the sink to Kafka');
  });
  const { topics, missing } = selectTopics(o.topics, existing);
  if (missing.length > 0) {
    throw new PinpipeError(
      'SINK_TOPIC_MISSING',
      `Topic(s) ${missing.join(', ')} do not exist. Create them (pinpipe provision) or pass --topics / --topics-regex.`,
    );
  }
  if (topics.length === 0) {
    const what = o.topics.kind === 'regex' ? `--topics-regex "${o.topics.source}"` : 'the topic list';
    throw new PinpipeError(
      'SINK_TOPIC_MISSING',
      `No topic matches ${what}; check the name or create the topic first.`,
    );
  }
  return topics;
}

async function summarise(
  o: ResolvedSinkOptions,
  topics: string[],
  runner: SinkRunner,
  admin: KafkaAdmin,
  stoppedBy: SinkSummary['stoppedBy'],
  started: number,
): Promise<SinkSummary> {
  const durationMs = Date.now() - started;
  const partitions: PartitionSummary[] = [];
  try {
    const offsets = await topicOffsets(admin, topics);
    const committed = await committedOffsets(admin, o.groupId, topics, offsets.keys());
    for (const [key, offset] of committed) {
      const wm = offsets.get(key);
      const c = offset >= 0 ? offset : null;
      partitions.push({
        ...parseTpKey(key),
        committedOffset: c,
        highWatermark: wm ? wm.high : null,
        lag: lagOf(wm?.high, c ?? wm?.low),
      });
    }
  } catch {
    for (const key of runner.state.assigned)
      partitions.push({ ...parseTpKey(key), committedOffset: null, highWatermark: null, lag: 0 });
  }
  partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const c = runner.state.counters;
  return {
    ...c,
    groupId: o.groupId,
    bucket: o.bucket,
    topicsRoot: topicsRoot(o.layout),
    topics,
    flushSize: o.flushSize,
    rotateIntervalMs: o.rotateIntervalMs,
    rotateScheduleIntervalMs: o.rotateScheduleIntervalMs,
    stoppedBy,
    durationMs,
    recordsPerSecond: durationMs > 0 ? Math.round((c.recordsWritten * 1000) / durationMs) : 0,
    lag: partitions.reduce((n, p) => n + p.lag, 0),
    partitions,
  };
}
