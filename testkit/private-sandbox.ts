import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEnv } from '../src/config/index.ts';
import { freePort } from './ports.ts';

/**
 * Environment overrides for a PRIVATE sandbox: its own folder and free ports, the shared download
 * cache, a small Kafka heap. Tests that start, kill or break services use it, never the shared one.
 */
export async function privateSandboxEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-sbx-'));
  return {
    PINPIPE_SANDBOX__DIR: dir,
    PINPIPE_MYSQL__PORT: String(await freePort()),
    PINPIPE_KAFKA__BROKERS: `[127.0.0.1:${await freePort()}]`,
    PINPIPE_SANDBOX__KAFKA_CONTROLLER_PORT: String(await freePort()),
    PINPIPE_SANDBOX__KAFKA_SASL_PORT: '0',
    PINPIPE_SANDBOX__KAFKA_HEAP_MB: '256',
    PINPIPE_AWS__ENDPOINT: `http://127.0.0.1:${await freePort()}`,
    PINPIPE_CACHE_DIR: readEnv().cacheDir,
    ...extra,
  };
}
