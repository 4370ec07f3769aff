import type { Command } from 'commander';
import { parsePort, parsePositiveInt, parseTimerMs, type CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';
import { runSink, type SinkSummary } from '../../sink/index.ts';

interface SinkFlags {
  topics?: string;
  topicsRegex?: string;
  group?: string;
  flushSize?: number;
  rotateIntervalMs?: number;
  rotateScheduleIntervalMs?: number;
  bucket?: string;
  prefix?: string;
  drain?: boolean;
  json?: boolean;
  progressMs?: number;
  sessionTimeoutMs?: number;
  uploadRetryMs?: number;
  metricsPort?: number;
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('sink')
    .description('Copy the topics into S3 in the Confluent S3 sink layout, exactly once (docs/sink.md)')
    .option('--topics <list>', "comma-separated topics (default: the profile's <id>.pin, .geo, .user)")
    .option('--topics-regex <regex>', "every topic whose whole name matches (the connector's topics.regex)")
    .option('--group <id>', 'consumer group id (default: profile sink.groupId)')
    .option(
      '--flush-size <n>',
      'flush.size: records per object (default: profile sink.flushSize, 1000)',
      parsePositiveInt('--flush-size'),
    )
    .option(
      '--rotate-interval-ms <ms>',
      'rotate.interval.ms: close an object by record timestamp (0 = off)',
      parseTimerMs('--rotate-interval-ms'),
    )
    .option(
      '--rotate-schedule-interval-ms <ms>',
      'rotate.schedule.interval.ms: close open objects by wall clock, for quiet topics (0 = off)',
      parseTimerMs('--rotate-schedule-interval-ms'),
    )
    .option('--bucket <name>', 'bucket (default: profile s3.bucket)')
    .option('--prefix <prefix>', 'root prefix before topics.dir and errors/ (default: none)')
    .option('--drain', 'stop once caught up with the high watermarks seen at start (flush, commit, exit 0)')
    .option('--json', 'print the final summary as JSON on stdout')
    .option(
      '--progress-ms <ms>',
      'one-line progress every <ms> on stderr (0 = off)',
      parseTimerMs('--progress-ms'),
      10_000,
    )
    .option(
      '--session-timeout-ms <ms>',
      "consumer session timeout, 6000 to 1800000 (Kafka's default group.min/max.session.timeout.ms)",
      parsePositiveInt('--session-timeout-ms', 6000, 1_800_000),
    )
    .option(
      '--upload-retry-ms <ms>',
      'keep retrying a failing PutObject this long before stopping',
      parseTimerMs('--upload-retry-ms', 1),
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics at http://127.0.0.1:<port>/metrics, 0 for any free port (default: profile sink.metricsPort, else off)',
      parsePort('--metrics-port'),
    )
    .action(async (flags: SinkFlags) => {
      if (flags.topics !== undefined && flags.topicsRegex !== undefined) {
        throw new PinpipeError('USAGE', 'Give either --topics or --topics-regex, not both.');
      }
      const topics = flags.topics
        ?.split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      const summary = await runSink({
        profile: ctx.profile().profile,
        ...(topics ? { topics } : {}),
        ...(flags.topicsRegex !== undefined ? { topicsRegex: flags.topicsRegex } : {}),
        ...(flags.group !== undefined ? { groupId: flags.group } : {}),
        ...(flags.flushSize !== undefined ? { flushSize: flags.flushSize } : {}),
        ...(flags.rotateIntervalMs !== undefined ? { rotateIntervalMs: flags.rotateIntervalMs } : {}),
        ...(flags.rotateScheduleIntervalMs !== undefined
          ? { rotateScheduleIntervalMs: flags.rotateScheduleIntervalMs }
          : {}),
        ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}),
        ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
        ...(flags.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: flags.sessionTimeoutMs } : {}),
        ...(flags.uploadRetryMs !== undefined ? { uploadRetryMs: flags.uploadRetryMs } : {}),
        ...(flags.metricsPort !== undefined ? { metricsPort: flags.metricsPort } : {}),
        drain: Boolean(flags.drain),
        progressIntervalMs: flags.progressMs ?? 10_000,
        signal: ctx.signal,
      });
      ctx.out(flags.json ? JSON.stringify(summary) : summaryText(summary));
    });
}

export function summaryText(s: SinkSummary): string {
  const lines = [
    `sink ${s.stoppedBy === 'drain' ? 'drained' : 'stopped'}: ${s.recordsWritten} records in ${s.objectsWritten} objects ` +
      `(s3://${s.bucket}/${s.topicsRoot}/), ${s.errorRecords} to errors/, ${s.recordsPerSecond} records/s in ${(s.durationMs / 1000).toFixed(1)} s`,
    `group ${s.groupId}: ${s.commits} commits, lag ${s.lag}` +
      (s.uploadRetries > 0 ? `, ${s.uploadRetries} upload retries` : '') +
      (s.rebalances > 0 ? `, ${s.rebalances} rebalances` : '') +
      (s.commitsSkipped > 0 ? `, ${s.commitsSkipped} commits skipped after a rebalance` : ''),
  ];
  for (const p of s.partitions) {
    lines.push(
      `  ${p.topic}[${p.partition}] committed ${p.committedOffset ?? '-'} / high watermark ${p.highWatermark ?? '-'} (lag ${p.lag})`,
    );
  }
  return lines.join('\n');
}
