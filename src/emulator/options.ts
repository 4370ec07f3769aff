import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { checkedNumber, parseStageOptions } from '../config/index.ts';
import { PinpipeError } from '../errors.ts';
import type { EmulatorOptions, RetryOptions } from './types.ts';

/** Fast mode without --count or --duration sends this many posts (the faithful mode runs until stopped). */
export const DEFAULT_FAST_COUNT = 1000;
export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_BATCH = 1;
/** The original sleeps `random.randrange(0, 2)` seconds between posts; we draw uniformly in [0, 2) s. */
export const FAITHFUL_MAX_SLEEP_MS = 2000;
export const DEFAULT_RETRY: RetryOptions = { retries: 4, minTimeoutMs: 100, maxTimeoutMs: 2000 };
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 20;

export interface NormalisedOptions {
  mode: 'fast' | 'faithful';
  count: number | undefined;
  durationMs: number | undefined;
  rate: number | undefined;
  concurrency: number;
  batch: number;
  seed: number;
  retry: RetryOptions;
  maxConsecutiveFailures: number;
}

const positive = (name: string) =>
  checkedNumber(
    (v) => v > 0,
    (got) => `${name} must be a positive number (got ${String(got)}).`,
  ).optional();

const positiveInt = (name: string) =>
  checkedNumber(
    (v) => v > 0,
    (got) => `${name} must be a positive number (got ${String(got)}).`,
  )
    .refine(Number.isInteger, {
      error: (iss) => `${name} must be a whole number (got ${String(iss.input)}).`,
    })
    .optional();

/** The emulator's options as a caller gives them (before the defaults). */
export const emulatorOptionsSchema = z
  .object({
    faithful: z.boolean().optional(),
    count: positiveInt('count'),
    durationMs: positive('duration'),
    rate: positive('rate'),
    concurrency: positiveInt('concurrency'),
    batch: positiveInt('batch'),
    seed: z.unknown().optional(),
  })
  .loose()
  .check((ctx) => {
    const o = ctx.value;
    if (o.faithful === true && ((o.batch ?? 1) !== 1 || (o.concurrency ?? 1) !== 1)) {
      ctx.issues.push({
        code: 'custom',
        input: o,
        message:
          '--faithful sends one record per request, one request at a time: drop --batch/--concurrency.',
      });
    } else if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) {
      ctx.issues.push({
        code: 'custom',
        input: o.seed,
        message: `seed must be an integer (got ${String(o.seed)}).`,
      });
    }
  });

/** Merges the options over the defaults and checks them; the faithful mode forces batch 1, concurrency 1. */
export function normaliseOptions(opts: Omit<EmulatorOptions, 'profile'>): NormalisedOptions {
  const { count, durationMs, rate, concurrency, batch } = parseStageOptions(emulatorOptionsSchema, opts);
  const faithful = opts.faithful === true;
  return {
    mode: faithful ? 'faithful' : 'fast',
    count: count ?? (faithful || durationMs !== undefined ? undefined : DEFAULT_FAST_COUNT),
    durationMs,
    rate,
    concurrency: faithful ? 1 : (concurrency ?? DEFAULT_CONCURRENCY),
    batch: faithful ? 1 : (batch ?? DEFAULT_BATCH),
    seed: opts.seed ?? randomInt(0, 2 ** 31),
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    maxConsecutiveFailures: opts.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES,
  };
}

/** "90", "90s", "500ms", "5m", "1h" → milliseconds (a bare number is seconds). */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m)
    throw new PinpipeError('USAGE', `--duration must look like 90, 90s, 500ms, 5m or 1h (got "${text}").`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  const ms = unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n * 3_600_000;
  if (ms <= 0) throw new PinpipeError('USAGE', `--duration must be positive (got "${text}").`);
  return ms;
}
