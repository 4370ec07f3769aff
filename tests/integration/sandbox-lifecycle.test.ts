import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../sandbox/lib/proc.ts';
import { privateSandboxEnv } from '../../testkit/private-sandbox.ts';
import { runTs } from '../helpers/run.ts';
import { down, processesUsing, up } from '../helpers/sandbox-up.ts';

/**
 * A PRIVATE sandbox (own folder and ports) goes through up → status → up → down, and the failure
 * paths of the sandbox leave nothing half-started (a missing prerequisite or a service that never becomes
 * healthy: sandbox-start-failures.test.ts). The shared sandbox of the other tests is not touched.
 */
const privateEnv = privateSandboxEnv;

/** Pids recorded in our pid files under a sandbox folder. */
function pidsUnder(dir: string): number[] {
  const files = ['mysql/mysqld.pid', 'kafka/kafka.pid', 's3/ministack.pid'].map((f) => path.join(dir, f));
  return files.filter((f) => fs.existsSync(f)).map((f) => Number(fs.readFileSync(f, 'utf8').trim()));
}

describe('sandbox lifecycle on a private sandbox', { timeout: 240_000 }, () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await privateEnv();
  });
  afterAll(async () => {
    await down(env);
    fs.rmSync(env.PINPIPE_SANDBOX__DIR!, { recursive: true, force: true });
  });

  it('up starts all three, status reports them ok, a second up is a no-op, down stops everything', async () => {
    const first = await up(env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/started mysql, kafka, s3/);

    const status = await runTs('scripts/sandbox-status.ts', ['--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const st = JSON.parse(status.stdout) as Record<string, { ok: boolean; endpoint: string }>;
    expect(Object.keys(st).sort()).toEqual(['kafka', 'mysql', 's3']);
    for (const svc of Object.values(st)) expect(svc.ok).toBe(true);
    expect(st.mysql!.endpoint).toBe(`127.0.0.1:${env.PINPIPE_MYSQL__PORT}`);

    const second = await up(env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/already running \(mysql, kafka, s3\)/);

    const pids = pidsUnder(env.PINPIPE_SANDBOX__DIR!);
    expect(pids.length).toBe(3);
    const stopped = await down(env);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/stopped s3, kafka, mysql/);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(processesUsing(env.PINPIPE_SANDBOX__DIR!)).toEqual([]);

    const after = await runTs('scripts/sandbox-status.ts', ['--json'], { env });
    expect(after.code).toBe(3);
    expect(
      Object.values(JSON.parse(after.stdout) as Record<string, { ok: boolean }>).every((s) => !s.ok),
    ).toBe(true);
  });
});

describe(
  'sandbox bad input: clear message, non-zero exit, nothing half-started',
  { timeout: 180_000 },
  () => {
    it('an unknown profile', async () => {
      const r = await runTs('scripts/sandbox-up.ts', ['--profile', 'nope'], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Profile "nope" not found.*Known profiles: .*local/s);
    });

    it('malformed YAML', async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-')), 'bad.yaml');
      fs.writeFileSync(file, 'name: [oops\n');
      const r = await runTs('scripts/sandbox-status.ts', ['--profile', file], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not valid YAML/);
    });

    it('a port already taken', async () => {
      const env = await privateEnv();
      const blocker = net.createServer().listen(Number(env.PINPIPE_MYSQL__PORT), '127.0.0.1');
      try {
        const r = await up(env);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(new RegExp(`Port 127.0.0.1:${env.PINPIPE_MYSQL__PORT} .* already in use`));
        expect(r.stderr).toMatch(/PINPIPE_MYSQL__PORT/);
        // nothing was spawned, so nothing is said to be stopped
        expect(r.stderr).not.toMatch(/stopped what this call started/);
        expect(processesUsing(env.PINPIPE_SANDBOX__DIR!)).toEqual([]);
      } finally {
        blocker.close();
      }
    });
  },
);
