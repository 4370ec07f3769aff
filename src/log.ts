import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { readEnv } from './config/env.ts';

/**
 * Human-readable logs on stderr (stdout is kept for results and --json). Secrets are redacted by
 * key name as a second line of defence: code must not log them in the first place. A key matches
 * ignoring case, `-` and `_` (so `x-api-key`, `X_API_KEY` and `xApiKey` are one name), at any depth
 * of a logged object, its arrays and header maps included.
 */
export const REDACT_KEYS = [
  'password',
  'secretAccessKey',
  'sessionToken',
  'token',
  'apiKey',
  'xApiKey',
  'xPinpipeToken',
  'authorization',
  'proxyAuthorization',
  'cookie',
  'setCookie',
  'clientSecret',
];

const CENSOR = '[redacted]';
const normalise = (key: string) => key.replace(/[-_]/g, '').toLowerCase();
const SECRET_KEYS = new Set(REDACT_KEYS.map(normalise));
const MAX_DEPTH = 32;

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A copy of `value` with every secret-named key's value replaced, at any depth (pure; cycles kept once). */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (seen.has(value)) return '[circular]';
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((v) => redactSecrets(v, depth + 1, seen));
  }
  if (!isPlain(value)) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      SECRET_KEYS.has(normalise(k)) && v !== undefined && v !== null
        ? CENSOR
        : redactSecrets(v, depth + 1, seen);
  }
  return out;
}

/**
 * Redacts each JSON line on its way to `out`: what the call logged, a child logger's bindings and
 * serialised errors alike (pino's own redact paths have a fixed depth and miss child bindings).
 */
function redactingStream(out: { write(line: string): unknown }): { write(line: string): void } {
  return {
    write(line: string) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        out.write(line);
        return;
      }
      out.write(`${JSON.stringify(redactSecrets(parsed))}\n`);
    },
  };
}

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
  return pino({ level }, redactingStream(stream));
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
