import type { Command } from 'commander';
import { loadProfile, type LoadedProfile, readEnv, type PinpipeEnv } from '../config/index.ts';
import { log, type Logger } from '../log.ts';
import { PinpipeError } from '../errors.ts';

/** What every command receives: the chosen profile (loaded on demand), the logger and the env. */
export interface CommandContext {
  env: PinpipeEnv;
  logger: Logger;
  profile(): LoadedProfile;
  /** Results go to stdout; logs go to stderr. */
  out(line: string): void;
  /** Aborted on SIGINT/SIGTERM; long-running commands stop cleanly when it fires. */
  signal: AbortSignal;
}

export function createContext(program: Command, signal: AbortSignal): CommandContext {
  const env = readEnv();
  let loaded: LoadedProfile | undefined;
  return {
    env,
    // The process-wide logger; --log-level sets its level after this context is made.
    get logger() {
      return log();
    },
    signal,
    out: (line) => {
      process.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
    },
    profile() {
      if (!loaded) {
        const opts = program.opts<{ profile?: string }>();
        loaded = loadProfile(opts.profile, env);
        for (const w of loaded.warnings) log().warn(w);
      }
      return loaded;
    },
  };
}

/** The longest delay Node's timers take (2^31 − 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Parses a whole-number option from `min` up to `max`, or fails with a USAGE error naming the flag
 * (exit 2), so that no value reaches a listen() or a timer that would throw or misbehave. A flag
 * named `--…-ms` is a timer's delay: its default `max` is MAX_TIMER_MS.
 */
export function parsePositiveInt(
  flag: string,
  min = 1,
  max = flag.endsWith('-ms') ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER,
) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new PinpipeError('USAGE', `${flag} must be a whole number (got "${value}").`);
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new PinpipeError(
        'USAGE',
        max === Number.MAX_SAFE_INTEGER
          ? `${flag} must be at least ${min} (got ${value}).`
          : `${flag} must be from ${min} to ${max} (got ${value}).`,
      );
    }
    return n;
  };
}

/** A TCP port option: 0 (any free port) to 65535. */
export const parsePort = (flag: string) => parsePositiveInt(flag, 0, 65_535);

/** A duration in milliseconds that ends up in a timer: `min` to MAX_TIMER_MS. */
export const parseTimerMs = (flag: string, min = 0) => parsePositiveInt(flag, min, MAX_TIMER_MS);
