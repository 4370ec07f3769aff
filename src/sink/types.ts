import type { Logger } from '../log.ts';
import type { Profile } from '../config/index.ts';
import type { SinkCounters } from './sink-state.ts';
import type { SinkFaultPoint } from './fault-points.ts';

/** runSink's one options object: the profile plus the connector-named overrides. */
export interface RunSinkOptions {
  profile: Profile;
  /** Explicit topics (default: the profile's three, topicNames(profile)). */
  topics?: string[];
  /** The connector's topics.regex: every existing topic whose whole name matches. */
  topicsRegex?: string;
  /** flush.size (default profile.sink.flushSize). */
  flushSize?: number;
  /** rotate.interval.ms, by record timestamp (0 = off). */
  rotateIntervalMs?: number;
  /** rotate.schedule.interval.ms, by wall clock (0 = off). */
  rotateScheduleIntervalMs?: number;
  /** Consume until caught up with the high watermarks seen at start, flush, commit, return. */
  drain?: boolean;
  groupId?: string;
  bucket?: string;
  /** Root prefix before topics.dir and errors/ (tests use a unique one). */
  prefix?: string;
  /** Stop cleanly (flush + commit) when aborted. */
  signal?: AbortSignal;
  /** Tests only: SIGKILL the process at this point (default: PINPIPE_SINK_FAULT_POINT, normally unset). */
  faultPoint?: SinkFaultPoint;
  /**
   * Stop once caught up: when `catchUp.signal` aborts, read on up to the high watermarks of that
   * moment, then stop as on `signal` (flush + commit); stop anyway after `timeoutMs`, saying how
   * many records are left. `pinpipe run` aborts it when its emulator stops, so that what was sent
   * is in S3.
   */
  catchUp?: { signal: AbortSignal; timeoutMs: number };
  logger?: Logger;
  /** One-line progress every N ms (0 = off; default 10 s). */
  progressIntervalMs?: number;
  /** Consumer session timeout (default 10 s; the broker's minimum is 6 s). */
  sessionTimeoutMs?: number;
  /** How long a failing PutObject is retried before the sink stops (default 5 min). */
  uploadRetryMs?: number;
  /**
   * Serve GET /metrics (Prometheus) on 127.0.0.1 at this port, 0 for any free port (default:
   * profile sink.metricsPort; absent: no metrics server).
   */
  metricsPort?: number;
  /** Called once the metrics server listens, with its URL. */
  onMetrics?: (url: string) => void;
  /** Parallel PutObject requests within one batch (default 16). */
  uploadConcurrency?: number;
}

export interface PartitionSummary {
  topic: string;
  partition: number;
  /** The group's committed offset when the sink stopped (next offset to read). */
  committedOffset: number | null;
  highWatermark: number | null;
  lag: number;
}

export interface SinkSummary extends SinkCounters {
  groupId: string;
  bucket: string;
  /** Where objects went: s3://<bucket>/<root>/ */
  topicsRoot: string;
  topics: string[];
  flushSize: number;
  rotateIntervalMs: number;
  rotateScheduleIntervalMs: number;
  stoppedBy: 'drain' | 'signal';
  durationMs: number;
  /** recordsWritten / duration. */
  recordsPerSecond: number;
  lag: number;
  partitions: PartitionSummary[];
}
