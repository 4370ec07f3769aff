import type { Admin } from 'kafkajs';
import { createKafka, createS3 } from '../clients/index.ts';
import { kafkaFailure } from '../clients/kafka-auth.ts';
import type { Profile } from '../config/schema.ts';
import { readEnv } from '../config/env.ts';
import { PinpipeError } from '../errors.ts';
import { log } from '../log.ts';
import { topicsRoot } from './keys.ts';
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
  const kafka = createKafka(opts.profile);
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(o.sessionTimeoutMs / 6)),
    rebalanceTimeout: Math.max(o.sessionTimeoutMs, 30_000),
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
    // A PinpipeError from our own code is fatal; kafkajs restarts on its own (retriable) errors.
    retry: { restartOnFailure: async (err) => !(err instanceof PinpipeError) },
  });
  let consumerStarted = false;
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
    await connect(admin, opts.profile);
    const topics = await resolveTopics(admin, o);
    const runner = new SinkRunner(o, topics, consumer, admin, s3, logger);
    const state = runner.state;
    metrics.watch({
      counters: state.counters,
      assigned: state.assigned,
      highWatermark: (k) => state.highWatermarks.get(k),
      position: (k) => state.position(k),
      buffered: () => state.buffered(),
    });
    runner.onStored = (seconds) => metrics.flushSeconds.observe(seconds);
    // For `pinpipe status`: buffered records apart from lag, while the sink runs.
    statusTimer = setInterval(() => {
      try {
        const at = new Date().toISOString();
        writeSinkStatus(statusFile, {
          pid: process.pid,
          at,
          groupId: o.groupId,
          topics: runner.state.perTopic(),
          ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
        });
      } catch {
        // status is best effort
      }
    }, 1000);
    statusTimer.unref();
    consumer.on(consumer.events.GROUP_JOIN, runner.onJoin);
    consumer.on(consumer.events.CRASH, (e) => {
      runner.onCrash();
      if (!e.payload.restart) runner.fail(asPinpipeError(e.payload.error));
    });
    logger.info(
      `sink: ${topics.join(', ')} → s3://${o.bucket}/${topicsRoot(o.layout)}/ ` +
        `(group ${o.groupId}, flush.size ${o.flushSize}` +
        (o.rotateIntervalMs ? `, rotate.interval.ms ${o.rotateIntervalMs}` : '') +
        (o.rotateScheduleIntervalMs ? `, rotate.schedule.interval.ms ${o.rotateScheduleIntervalMs}` : '') +
        `${o.drain ? ', --drain' : ''}${o.faultPoint ? `, fault point ${o.faultPoint} armed (tests only)` : ''})`,
    );
    await consumer.connect();
    consumerStarted = true;
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: runner.eachBatch,
    });
    const stoppedBy = await runner.run(opts.signal, opts.catchUp);
    await consumer.disconnect();
    consumerStarted = false;
    const summary = await summarise(o, topics, runner, admin, stoppedBy, started);
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
    if (consumerStarted) await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await metricsServer?.close();
    s3.destroy();
  }
}

async function connect(admin: Admin, profile: Profile): Promise<void> {
  try {
    await admin.connect();
  } catch (err) {
    // Authentication and credential failures name themselves; the rest is "broker unreachable".
    throw kafkaFailure(err, profile, 'connect the sink to Kafka');
  }
}

async function resolveTopics(admin: Admin, o: ResolvedSinkOptions): Promise<string[]> {
  const { topics, missing } = selectTopics(o.topics, await admin.listTopics());
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
  admin: Admin,
  stoppedBy: SinkSummary['stoppedBy'],
  started: number,
): Promise<SinkSummary> {
  const durationMs = Date.now() - started;
  const partitions: PartitionSummary[] = [];
  try {
    const committed = await admin.fetchOffsets({ groupId: o.groupId, topics });
    for (const { topic, partitions: ps } of committed) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const p of ps) {
        const high = offsets.find((x) => x.partition === p.partition);
        const c = Number(p.offset) >= 0 ? Number(p.offset) : null;
        const hw = high ? Number(high.high) : null;
        partitions.push({
          topic,
          partition: p.partition,
          committedOffset: c,
          highWatermark: hw,
          lag: lagOf(hw ?? undefined, c ?? (high ? Number(high.low) : undefined)),
        });
      }
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
