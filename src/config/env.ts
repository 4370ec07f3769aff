import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PinpipeError } from '../errors.ts';

/**
 * The one module that reads settings from process.env; everything else receives them from here (child
 * processes, such as the sandbox's services and Spark, inherit the environment as it is).
 * Variables (also documented in docs/environment.md):
 *   PINPIPE_PROFILE      profile name or path (default: local)
 *   PINPIPE_CACHE_DIR    downloads cache: Kafka jars, MiniStack and Airflow venvs (default ~/.cache/pinpipe)
 *   PINPIPE_LOG_LEVEL    debug | info | warn | error (default info); anything else is a usage error
 *   PINPIPE_TEST_SEED    tests only: the seed of the randomised tests (not a profile override)
 *   PINPIPE_SINK_FAULT_POINT  tests only: the sink SIGKILLs itself at this named point (src/sink/fault-points.ts);
 *                        unset in every normal run; an unknown name is a usage error
 *   PINPIPE_TEST_SANDBOX_PORTS  tests only: set by vitest.config.ts in the integration project, where
 *                        tests honour the sandbox's port overrides (not a profile override)
 *   JAVA_HOME            the Java the sandbox's Kafka runs with (default: java on PATH)
 *   USER                 the OS user the sandbox MySQL's root logs in as over its socket (default root)
 *   PINPIPE_<PATH>       override one profile field; nested keys joined by "__",
 *                        e.g. PINPIPE_MYSQL__PORT=3308, PINPIPE_PIPELINE_ID=abc123, PINPIPE_S3__BUCKET=b
 * Secrets (MySQL password, API key, SASL tokens) are read by name through readSecret(), never logged;
 * a variable any profile names as a secret's source is never taken as an override (src/config/load.ts).
 */
export const ENV_PREFIX = 'PINPIPE_';
const RESERVED = new Set([
  'PROFILE',
  'CACHE_DIR',
  'LOG_LEVEL',
  'ROOT',
  'TEST_SEED',
  'TEST_SANDBOX_PORTS',
  'SINK_FAULT_POINT',
]);

/** The sink's named crash windows (src/sink/fault-points.ts); tests arm one with PINPIPE_SINK_FAULT_POINT. */
export const SINK_FAULT_POINTS = [
  'after-upload-before-commit',
  'after-commit-before-fetch',
  'between-objects',
  'during-revoke',
] as const;
export type SinkFaultPoint = (typeof SINK_FAULT_POINTS)[number];

/** The log levels pinpipe accepts (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A log level from the environment or --log-level; anything else is a usage error naming `source`. */
export function parseLogLevel(value: string, source: string): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new PinpipeError(
    'USAGE',
    `${source} must be one of debug, info, warn, error (or trace, fatal, silent). Fix or unset it.`,
  );
}

export interface PinpipeEnv {
  profile: string | undefined;
  cacheDir: string;
  logLevel: LogLevel;
  projectRoot: string;
  /** Profile overrides: path segments (upper-case, as written) → raw string value. */
  overrides: Array<{ path: string[]; value: string; variable: string }>;
  isTTY: boolean;
  ci: boolean;
  /** JAVA_HOME, when set: the sandbox runs $JAVA_HOME/bin/java. */
  javaHome: string | undefined;
  /** USER (default root): the sandbox MySQL's root authenticates as this OS user over its socket. */
  osUser: string;
  /** Tests only: the sink's armed fault point (PINPIPE_SINK_FAULT_POINT); undefined in a normal run. */
  sinkFaultPoint: SinkFaultPoint | undefined;
}

function parseFaultPoint(value: string | undefined): SinkFaultPoint | undefined {
  if (!value) return undefined;
  if ((SINK_FAULT_POINTS as readonly string[]).includes(value)) return value as SinkFaultPoint;
  throw new PinpipeError(
    'USAGE',
    `PINPIPE_SINK_FAULT_POINT must be one of ${SINK_FAULT_POINTS.join(', ')} (a test setting). Unset it.`,
  );
}

/** The repository root: two levels above this file (src/config/env.ts). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Reads pinpipe's variables. Throws a USAGE PinpipeError (exit 2) for a bad PINPIPE_LOG_LEVEL, so call
 * it before anything else prints; the value is never echoed.
 */
export function readEnv(env: NodeJS.ProcessEnv = process.env): PinpipeEnv {
  const overrides: PinpipeEnv['overrides'] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const rest = key.slice(ENV_PREFIX.length);
    if (RESERVED.has(rest) || rest.length === 0) continue;
    overrides.push({ path: rest.split('__'), value, variable: key });
  }
  return {
    profile: env.PINPIPE_PROFILE || undefined,
    cacheDir: env.PINPIPE_CACHE_DIR || path.join(os.homedir(), '.cache', 'pinpipe'),
    logLevel: env.PINPIPE_LOG_LEVEL ? parseLogLevel(env.PINPIPE_LOG_LEVEL, 'PINPIPE_LOG_LEVEL') : 'info',
    projectRoot: env.PINPIPE_ROOT || PROJECT_ROOT,
    overrides,
    isTTY: Boolean(process.stderr.isTTY) && env.CI !== 'true',
    ci: env.CI === 'true' || env.CI === '1',
    javaHome: env.JAVA_HOME || undefined,
    osUser: env.USER || 'root',
    sinkFaultPoint: parseFaultPoint(env.PINPIPE_SINK_FAULT_POINT),
  };
}

/** Reads a secret by the variable name a profile gives; undefined when unset or empty. */
export function readSecret(
  name: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!name) return undefined;
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
