import { z } from 'zod';
import { checkedNumber, parseStageOptions, topicNames } from '../config/index.ts';
import type { RunSinkOptions } from './types.ts';
import type { SinkFaultPoint } from './fault-points.ts';
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
  /** Tests only: the crash window the sink SIGKILLs itself in (src/sink/fault-points.ts). */
  faultPoint: SinkFaultPoint | undefined;
}

const wholeNumber = (name: string, min = 0) =>
  checkedNumber(
    (v) => Number.isSafeInteger(v) && v >= min,
    (got) => `${name} must be a whole number ≥ ${min} (got ${String(got)}).`,
  );

/** The topics to sink: an explicit list, an explicit regex, or the profile's regex or its three topics. */
const topicSelectionSchema = z
  .object({
    topics: z.array(z.string()).optional(),
    topicsRegex: z.string().optional(),
    profileRegex: z.string().optional(),
    profileTopics: z.array(z.string()),
  })
  .transform((o, ctx): ResolvedSinkOptions['topics'] => {
    const fail = (message: string) => {
      ctx.issues.push({ code: 'custom', input: o, message });
      return z.NEVER;
    };
    if (o.topics && o.topicsRegex) return fail('Give either --topics or --topics-regex, not both.');
    const regexSource = o.topicsRegex ?? (o.topics ? undefined : o.profileRegex);
    if (regexSource !== undefined) {
      try {
        // topics.regex is a Java regex matched against the whole topic name
        return { kind: 'regex', pattern: new RegExp(`^(?:${regexSource})$`), source: regexSource };
      } catch (err) {
        return fail(
          `--topics-regex "${regexSource}" is not a valid regular expression: ${(err as Error).message}`,
        );
      }
    }
    const names = o.topics ?? o.profileTopics;
    if (names.length === 0) return fail('No topics to sink: give --topics or --topics-regex.');
    return { kind: 'list', names: [...new Set(names)] };
  });

/** The sink's settings once merged over the profile and the defaults. */
export const sinkOptionsSchema = z.object({
  topics: topicSelectionSchema,
  sessionTimeoutMs: wholeNumber('sessionTimeoutMs', 6000),
  flushSize: wholeNumber('flush.size', 1),
  rotateIntervalMs: wholeNumber('rotate.interval.ms'),
  rotateScheduleIntervalMs: wholeNumber('rotate.schedule.interval.ms'),
  progressIntervalMs: wholeNumber('progressIntervalMs'),
  uploadRetryMs: wholeNumber('uploadRetryMs', 1),
  uploadConcurrency: wholeNumber('uploadConcurrency', 1),
});

/** Merges runSink options over the profile's sink settings and validates them. */
export function resolveSinkOptions(opts: RunSinkOptions): ResolvedSinkOptions {
  const { profile } = opts;
  const o = parseStageOptions(sinkOptionsSchema, {
    topics: {
      topics: opts.topics,
      topicsRegex: opts.topicsRegex,
      profileRegex: profile.sink.topicsRegex,
      profileTopics: Object.values(topicNames(profile)),
    },
    sessionTimeoutMs: opts.sessionTimeoutMs ?? SINK_DEFAULTS.sessionTimeoutMs,
    flushSize: opts.flushSize ?? profile.sink.flushSize,
    rotateIntervalMs: opts.rotateIntervalMs ?? profile.sink.rotateIntervalMs,
    rotateScheduleIntervalMs: opts.rotateScheduleIntervalMs ?? profile.sink.rotateScheduleIntervalMs,
    progressIntervalMs: opts.progressIntervalMs ?? SINK_DEFAULTS.progressIntervalMs,
    uploadRetryMs: opts.uploadRetryMs ?? DEFAULT_UPLOAD_RETRY.maxRetryTimeMs,
    uploadConcurrency: opts.uploadConcurrency ?? SINK_DEFAULTS.uploadConcurrency,
  });
  return {
    groupId: opts.groupId ?? profile.sink.groupId,
    bucket: opts.bucket ?? profile.s3.bucket,
    createBucket: profile.s3.createBucket,
    layout: {
      prefix: opts.prefix ?? '',
      topicsDir: profile.s3.topicsDir,
      errorsDir: SINK_DEFAULTS.errorsDir,
    },
    topics: o.topics,
    flushSize: o.flushSize,
    rotateIntervalMs: o.rotateIntervalMs,
    rotateScheduleIntervalMs: o.rotateScheduleIntervalMs,
    drain: opts.drain ?? false,
    progressIntervalMs: o.progressIntervalMs,
    sessionTimeoutMs: o.sessionTimeoutMs,
    uploadRetry: { ...DEFAULT_UPLOAD_RETRY, maxRetryTimeMs: o.uploadRetryMs },
    uploadConcurrency: o.uploadConcurrency,
    faultPoint: opts.faultPoint,
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
