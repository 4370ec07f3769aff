import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/load.ts';
import { readEnv } from '../../../src/config/env.ts';
import type { Profile } from '../../../src/config/schema.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { startOwnProxy } from '../../../src/pipeline/own-proxy.ts';
import { freePort } from '../../../testkit/ports.ts';

/** The proxy `pinpipe run` and the demo start: a taken port is named, with whose it is. No Kafka needed. */
let dir: string;
let profile: Profile;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-own-proxy-'));
  profile = structuredClone(loadProfile('local', readEnv({})).profile);
  profile.batch.workDir = path.join(dir, 'batch');
  profile.proxy.port = await freePort();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const logger = createLogger('silent');

describe('startOwnProxy', () => {
  it('says the port is held by a REST proxy already running, and what to do', async () => {
    const first = await startOwnProxy({ profile, logger }, '`pinpipe run`');
    try {
      const err = await startOwnProxy({ profile, logger }, '`pinpipe run`').catch((e: unknown) => e);
      expect(isPinpipeError(err) && err.code).toBe('PROXY_UNAVAILABLE');
      expect((err as Error).message).toBe(
        `Port ${profile.proxy.port} on 127.0.0.1 is in use by a REST proxy that is already running (a \`pinpipe proxy\` ` +
          'started earlier?). `pinpipe run` starts its own: stop that one first (Ctrl-C in its terminal), or set ' +
          'proxy.port (PINPIPE_PROXY__PORT) for this run.',
      );
    } finally {
      await first.close();
    }
  });

  it('says when another program holds the port', async () => {
    const other = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => other.listen(profile.proxy.port, '127.0.0.1', r));
    try {
      const err = await startOwnProxy({ profile, logger }, 'The demo').catch((e: unknown) => e);
      expect((err as Error).message).toBe(
        `Port ${profile.proxy.port} on 127.0.0.1 is in use by another program (not a REST proxy). The demo needs it ` +
          'for its proxy: stop that program, or set proxy.port (PINPIPE_PROXY__PORT).',
      );
    } finally {
      await new Promise((r) => other.close(r));
    }
  });
});
