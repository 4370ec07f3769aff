import fs from 'node:fs';
import path from 'node:path';
import { KAFKA_VERSION } from '../sandbox/kafka/kafka.ts';
import { MINISTACK_VERSION } from '../sandbox/s3/ministack.ts';
import { readEnv, type Profile } from '../src/config/index.ts';

/**
 * The one place tests learn machine details: where tools are, the download cache and its folder
 * names, the PATH folders, and the sandbox's ports (from the profile, never typed into a test).
 */
const env = readEnv();

/** True when running in CI, where a missing tool fails the test instead of skipping it. */
export const inCI = env.ci;

/** The shared downloads cache (PINPIPE_CACHE_DIR or ~/.cache/pinpipe). */
export const cacheDir = env.cacheDir;

/** Folder names inside the cache, from the versions the sandbox code pins. */
export const cacheFolders = {
  kafka: `kafka-${KAFKA_VERSION}`,
  ministack: `ministack-${MINISTACK_VERSION}`,
} as const;

/** The folders of this process's PATH, in order. */
export const pathDirs: string[] = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d.length > 0);

/** The first executable named `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of pathDirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export interface Tool {
  name: string;
  /** Absolute path, when found. */
  path: string | undefined;
  /** Why it is missing and how to install it (empty when found). */
  missing: string;
}

/**
 * Finds a tool a test needs. In CI a missing tool throws (the file fails loudly); on a developer
 * machine the caller decides: skip its tests with `skipIf(!tool.path)` (vitest lists them as
 * skipped), or fail with `tool.missing`.
 */
export function requireTool(name: string, candidates: string[], install: string): Tool {
  const found = candidates.map(which).find((p) => p !== undefined);
  if (found) return { name, path: found, missing: '' };
  const missing = `${name} is not installed (looked for ${candidates.join(', ')} on PATH): ${install}`;
  if (inCI) throw new Error(`${missing}. CI needs it for these tests.`);
  return { name, path: undefined, missing };
}

export const curlTool = () => requireTool('curl', ['curl'], 'sudo apt-get install -y curl');

export const chromiumTool = () =>
  requireTool(
    'Chromium',
    ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'],
    "sudo apt-get install -y chromium (Debian's package)",
  );

/** The sandbox's service ports, as the profile gives them. */
export function sandboxPorts(profile: Profile): {
  mysql: number;
  kafka: number;
  kafkaSasl: number;
  kafkaController: number;
  aws: number;
} {
  const portOf = (hostPort: string) => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
  return {
    mysql: profile.mysql.port,
    kafka: portOf(profile.kafka.brokers[0]!),
    kafkaSasl: profile.sandbox.kafkaSaslPort,
    kafkaController: profile.sandbox.kafkaControllerPort,
    aws: Number(new URL(endpointOf(profile)).port),
  };
}

function endpointOf(profile: Profile): string {
  if (!profile.aws.endpoint)
    throw new Error(`profile ${profile.name} has no aws.endpoint: not a sandbox profile`);
  return profile.aws.endpoint;
}

/** Headless Chromium flags for the browser tests: no sandbox (root), nothing fetched in the background. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
