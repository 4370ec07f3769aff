import { randomInt } from 'node:crypto';
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

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0)
    throw new PinpipeError('USAGE', `${name} must be a positive number (got ${v}).`);
  return v;
}

function positiveInt(name: string, v: number | undefined): number | undefined {
  const n = positive(name, v);
  if (n !== undefined && !Number.isInteger(n))
    throw new PinpipeError('USAGE', `${name} must be a whole number (got ${n}).`);
  return n;
}

/** Merges the options over the defaults and checks them; the faithful mode forces batch 1, concurrency 1. */
export function normaliseOptions(opts: Omit<EmulatorOptions, 'profile'>): NormalisedOptions {
  const faithful = opts.faithful === true;
  const count = positiveInt('count', opts.count);
  const durationMs = positive('duration', opts.durationMs);
  const rate = positive('rate', opts.rate);
  const concurrency = positiveInt('concurrency', opts.concurrency);
  const batch = positiveInt('batch', opts.batch);
  if (faithful && ((batch ?? 1) !== 1 || (concurrency ?? 1) !== 1)) {
    throw new PinpipeError(
      'USAGE',
      '--faithful sends one record per request, one request at a time: drop --batch/--concurrency.',
    );
  }
  if (opts.seed !== undefined && !Number.isSafeInteger(opts.seed)) {
    throw new PinpipeError('USAGE', `seed must be an integer (got ${opts.seed}).`);
  }
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
