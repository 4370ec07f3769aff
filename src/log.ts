import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { readEnv } from './config/env.ts';

/**
 * Human-readable logs on stderr (stdout is kept for results and --json). Secrets are redacted by
 * key name as a second line of defence: code must not log them in the first place.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
];

let root: Logger | undefined;

export function createLogger(level = 'info', destination: number = 2): Logger {
  const stream = pretty({
    destination,
    sync: true,
    colorize: false,
    ignore: 'pid,hostname',
    translateTime: 'HH:MM:ss',
    singleLine: true,
  });
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

export function setLogger(logger: Logger): void {
  root = logger;
}

/**
 * Sets the process-wide logger's level in place (--log-level), so a logger a module took from log()
 * before the flag was parsed follows it too.
 */
export function setLogLevel(level: string): void {
  log().level = level;
}

/** The process-wide logger (the CLI sets its level from --log-level / PINPIPE_LOG_LEVEL). */
export function log(): Logger {
  if (!root) {
    let level = 'info';
    try {
      level = readEnv().logLevel;
    } catch {
      // A bad PINPIPE_LOG_LEVEL is reported by the CLI as a usage error before anything logs.
    }
    root = createLogger(level);
  }
  return root;
}

export type { Logger };
