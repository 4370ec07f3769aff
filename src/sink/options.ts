import { PinpipeError } from '../errors.ts';
import { topicNames } from '../config/schema.ts';
import type { RunSinkOptions } from './types.ts';
import type { SinkLayout } from './keys.ts';
import { DEFAULT_UPLOAD_RETRY, type UploadRetry } from './s3-store.ts';

export const SINK_DEFAULTS = {
  progressIntervalMs: 10_000,
  sessionTimeoutMs: 10_000,
  uploadConcurrency: 16,
  errorsDir: 'errors',
  /** How often --drain checks positions and wall-clock rotation is checked. */
  tickMs: 250,
} as const;

export interface ResolvedSinkOptions {
  groupId: string;
  bucket: string;
  createBucket: boolean;
  layout: SinkLayout;
  /** Either a fixed list or a regex resolved against the cluster's topics. */
  topics: { kind: 'list'; names: string[] } | { kind: 'regex'; pattern: RegExp; source: string };
  flushSize: number;
  rotateIntervalMs: number;
  rotateScheduleIntervalMs: number;
  drain: boolean;
  progressIntervalMs: number;
  sessionTimeoutMs: number;
  uploadRetry: UploadRetry;
  uploadConcurrency: number;
}

function nonNegativeInt(name: string, v: number, min = 0): number {
  if (!Number.isSafeInteger(v) || v < min) {
    throw new PinpipeError('USAGE', `${name} must be a whole number ≥ ${min} (got ${v}).`);
  }
  return v;
}

/** Merges runSink options over the profile's sink settings and validates them. */
export function resolveSinkOptions(opts: RunSinkOptions): ResolvedSinkOptions {
  const { profile } = opts;
  const regexSource = opts.topicsRegex ?? (opts.topics ? undefined : profile.sink.topicsRegex);
  if (opts.topics && opts.topicsRegex) {
    throw new PinpipeError('USAGE', 'Give either --topics or --topics-regex, not both.');
  }
  let topics: ResolvedSinkOptions['topics'];
  if (regexSource !== undefined) {
    let pattern: RegExp;
    try {
      // topics.regex is a Java regex matched against the whole topic name
      pattern = new RegExp(`^(?:${regexSource})$`);
    } catch (err) {
      throw new PinpipeError(
        'USAGE',
        `--topics-regex "${regexSource}" is not a valid regular expression: ${(err as Error).message}`,
      );
    }
    topics = { kind: 'regex', pattern, source: regexSource };
  } else {
    const names = opts.topics ?? Object.values(topicNames(profile));
    if (names.length === 0)
      throw new PinpipeError('USAGE', 'No topics to sink: give --topics or --topics-regex.');
    topics = { kind: 'list', names: [...new Set(names)] };
  }
  const sessionTimeoutMs = nonNegativeInt(
    'sessionTimeoutMs',
    opts.sessionTimeoutMs ?? SINK_DEFAULTS.sessionTimeoutMs,
    6000,
  );
  return {
    groupId: opts.groupId ?? profile.sink.groupId,
    bucket: opts.bucket ?? profile.s3.bucket,
    createBucket: profile.s3.createBucket,
    layout: {
      prefix: opts.prefix ?? '',
      topicsDir: profile.s3.topicsDir,
      errorsDir: SINK_DEFAULTS.errorsDir,
    },
    topics,
    flushSize: nonNegativeInt('flush.size', opts.flushSize ?? profile.sink.flushSize, 1),
    rotateIntervalMs: nonNegativeInt(
      'rotate.interval.ms',
      opts.rotateIntervalMs ?? profile.sink.rotateIntervalMs,
    ),
    rotateScheduleIntervalMs: nonNegativeInt(
      'rotate.schedule.interval.ms',
      opts.rotateScheduleIntervalMs ?? profile.sink.rotateScheduleIntervalMs,
    ),
    drain: opts.drain ?? false,
    progressIntervalMs: nonNegativeInt(
      'progressIntervalMs',
      opts.progressIntervalMs ?? SINK_DEFAULTS.progressIntervalMs,
    ),
    sessionTimeoutMs,
    uploadRetry: {
      ...DEFAULT_UPLOAD_RETRY,
      maxRetryTimeMs: nonNegativeInt(
        'uploadRetryMs',
        opts.uploadRetryMs ?? DEFAULT_UPLOAD_RETRY.maxRetryTimeMs,
        1,
      ),
    },
    uploadConcurrency: nonNegativeInt(
      'uploadConcurrency',
      opts.uploadConcurrency ?? SINK_DEFAULTS.uploadConcurrency,
      1,
    ),
  };
}

/** Topics matching the resolved selection among the cluster's topics (internal ones excluded). */
export function selectTopics(
  selection: ResolvedSinkOptions['topics'],
  existing: string[],
): {
  topics: string[];
  missing: string[];
} {
  const known = new Set(existing);
  if (selection.kind === 'list') {
    return {
      topics: selection.names.filter((t) => known.has(t)),
      missing: selection.names.filter((t) => !known.has(t)),
    };
  }
  return {
    topics: existing.filter((t) => !t.startsWith('__') && selection.pattern.test(t)).sort(),
    missing: [],
  };
}
