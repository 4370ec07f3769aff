import type { Command } from 'commander';
import { loadProfile, type LoadedProfile } from '../config/load.ts';
import { readEnv, type PinpipeEnv } from '../config/env.ts';
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

/** Parses a positive integer option, or fails with a USAGE error naming the flag. */
export function parsePositiveInt(flag: string, min = 1) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new PinpipeError('USAGE', `${flag} must be a whole number (got "${value}").`);
    }
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new PinpipeError('USAGE', `${flag} must be at least ${min} (got ${value}).`);
    }
    return n;
  };
}
