import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/pipeline/index.ts';
import { createKafkaAdmin } from '../../src/clients/index.ts';
import { PinpipeError } from '../../src/errors.ts';
import { cleanupPipeline, isolatedPipelineEnv, profileFor } from '../helpers/isolated.ts';

/** `pinpipe run` leaves nothing behind when it cannot start: no lock, no proxy, no sink in the group. */
function capture() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
  return { logger, lines };
}

async function groupState(env: Record<string, string>): Promise<{ state: string; members: number }> {
  const profile = profileFor(env);
  const admin = createKafkaAdmin(profile);
  try {
    const group = (await admin.describeGroups({ groups: [profile.sink.groupId] })).get(profile.sink.groupId);
    return { state: group?.state ?? 'Dead', members: group?.members.size ?? 0 };
  } finally {
    await admin.close();
  }
}

describe('pinpipe run cleans up when it cannot start', { timeout: 60_000 }, () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await isolatedPipelineEnv('runclean');
  });
  afterAll(async () => {
    await cleanupPipeline(env);
  });

  it('the proxy port is taken: the run lock is released', async () => {
    const profile = profileFor(env);
    // Another program holds the port: it accepts and hangs up at once (so close() has no connection to wait for).
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => blocker.listen(profile.proxy.port, profile.proxy.host, r));
    const lock = path.join(path.dirname(profile.batch.workDir), 'run.lock');
    const { logger } = capture();
    try {
      const err = await runPipeline({
        profile,
        logger,
        signal: new AbortController().signal,
        cron: '0 0 * * *',
        emulate: false,
        batchNow: false,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PinpipeError);
      expect((err as PinpipeError).code).toBe('PROXY_UNAVAILABLE');
      expect(fs.existsSync(lock)).toBe(false);
      expect(await groupState(env)).toEqual({ state: 'Dead', members: 0 });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('the invoke URL cannot be resolved: nothing was started, the lock is released', async () => {
    const profile = profileFor({ ...env, PINPIPE_API_GATEWAY__REST_API_NAME: 'pinpipe-no-such-api' });
    const lock = path.join(path.dirname(profile.batch.workDir), 'run.lock');
    const { logger, lines } = capture();
    const err = await runPipeline({
      profile,
      logger,
      signal: new AbortController().signal,
      cron: '0 0 * * *',
      emulate: true,
      batchNow: false,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('GATEWAY_FAILED');
    expect((err as PinpipeError).message).toContain('No API Gateway REST API named "pinpipe-no-such-api"');
    expect(lines.filter((l) => /REST proxy on|batch scheduled|sink/.test(l))).toEqual([]);
    expect(fs.existsSync(lock)).toBe(false);
    expect(await groupState(env)).toEqual({ state: 'Dead', members: 0 });
  });
});
