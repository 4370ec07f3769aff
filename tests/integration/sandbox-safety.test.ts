import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, systemProcReader, writePidRecord } from '../../sandbox/lib/proc.ts';
import { SANDBOX_MARKER } from '../../sandbox/sandbox.ts';
import { privateSandboxEnv } from '../../testkit/private-sandbox.ts';
import { ROOT, runTs } from '../helpers/run.ts';

/**
 * Sandbox commands never hurt what is not theirs: a pid file naming an unrelated live process is not
 * signalled, and only a folder `up` marked is wiped. Private sandbox folders; no service is started.
 */
const down = (env: Record<string, string>) =>
  runTs('scripts/sandbox-down.ts', [], { env, timeoutMs: 60_000 });
const reset = (env: Record<string, string>) =>
  runTs('scripts/sandbox-reset.ts', [], { env, timeoutMs: 60_000 });

let sleeper: ChildProcess | undefined;
afterEach(() => {
  // Our own `sleep`, by the pid we spawned it with.
  if (sleeper?.pid !== undefined && isAlive(sleeper.pid)) process.kill(sleeper.pid, 'SIGKILL');
  sleeper = undefined;
});

describe('stale pid files', { timeout: 60_000 }, () => {
  it('down never signals an unrelated live process a pid file names', async () => {
    sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = sleeper.pid!;
    const env = await privateSandboxEnv();
    const dir = env.PINPIPE_SANDBOX__DIR!;
    for (const sub of ['mysql', 'kafka', 's3']) fs.mkdirSync(path.join(dir, sub));
    // MySQL's file says the process started at another time (a pid reused after a reboot); Kafka's
    // and MiniStack's have no start time (older files) and `sleep 30` is not their command line.
    writePidRecord(path.join(dir, 'mysql', 'mysqld.pid'), { pid, startTime: '1' });
    writePidRecord(path.join(dir, 'kafka', 'kafka.pid'), { pid });
    writePidRecord(path.join(dir, 's3', 'ministack.pid'), { pid });

    const r = await down(env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${path.join(dir, 'mysql', 'mysqld.pid')} names pid ${pid} (the pid now belongs to a process started later): not ours, ignored and removed, never signalled`,
    );
    expect(r.stderr).toContain(
      `${path.join(dir, 'kafka', 'kafka.pid')} names pid ${pid} (its command line is not the service): not ours, ignored and removed, never signalled`,
    );
    expect(r.stderr).toContain('nothing was running');
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
    expect(systemProcReader.cmdline(pid)).toBe('sleep 30');
    for (const f of ['mysql/mysqld.pid', 'kafka/kafka.pid', 's3/ministack.pid']) {
      expect(fs.existsSync(path.join(dir, f))).toBe(false);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('what reset may wipe', { timeout: 60_000 }, () => {
  it('PINPIPE_SANDBOX__DIR=. is refused with exit 2 and the repository is untouched', async () => {
    const before = fs.readdirSync(ROOT).sort();
    for (const cmd of ['scripts/sandbox-reset.ts', 'scripts/sandbox-up.ts']) {
      const r = await runTs(cmd, [], { env: { PINPIPE_SANDBOX__DIR: '.' }, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(
        `sandbox.dir is ${ROOT}, which is the project folder: the sandbox commands write there and sandbox:reset deletes it. ` +
          'Set sandbox.dir (PINPIPE_SANDBOX__DIR) to a folder of its own, e.g. .sandbox. [CONFIG_INVALID]',
      );
    }
    expect(fs.readdirSync(ROOT).sort()).toEqual(before);
  });

  it('a folder without the marker keeps its files (exit 2); a marked one is wiped, marker kept', async () => {
    const foreign = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-foreign-'));
    fs.writeFileSync(path.join(foreign, 'precious.txt'), 'keep me\n');
    const refused = await reset(await privateSandboxEnv({ PINPIPE_SANDBOX__DIR: foreign }));
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(
      `${foreign} has no ${SANDBOX_MARKER} marker, so sandbox:up did not make it: refusing to delete it.`,
    );
    expect(fs.readFileSync(path.join(foreign, 'precious.txt'), 'utf8')).toBe('keep me\n');

    const upRefused = await runTs('scripts/sandbox-up.ts', ['--no-seed', '--no-provision'], {
      env: await privateSandboxEnv({ PINPIPE_SANDBOX__DIR: foreign }),
      timeoutMs: 60_000,
    });
    expect(upRefused.code, upRefused.stderr).toBe(2);
    expect(upRefused.stderr).toContain(
      `sandbox.dir ${foreign} already holds files that are not a sandbox's (precious.txt) and no ${SANDBOX_MARKER} marker.`,
    );
    expect(fs.readdirSync(foreign)).toEqual(['precious.txt']);
    fs.rmSync(foreign, { recursive: true, force: true });

    const env = await privateSandboxEnv();
    const marked = env.PINPIPE_SANDBOX__DIR!;
    fs.writeFileSync(path.join(marked, SANDBOX_MARKER), 'marked\n');
    fs.mkdirSync(path.join(marked, 'batch', 'cache'), { recursive: true });
    fs.writeFileSync(path.join(marked, 'batch', 'cache', 'object.json'), '{}\n');
    const wiped = await reset(env);
    expect(wiped.code, wiped.stderr).toBe(0);
    expect(wiped.stderr).toContain(`stopped and wiped ${marked}`);
    expect(fs.readdirSync(marked)).toEqual([SANDBOX_MARKER]);
    fs.rmSync(marked, { recursive: true, force: true });
  });
});

describe('MySQL health', { timeout: 60_000 }, () => {
  it('checks the application user with the profile password (no fallback to root)', async () => {
    const r = await runTs('scripts/sandbox-status.ts', ['--json'], {
      env: { PINPIPE_MYSQL__PASSWORD: 'wrong-pw-4d1f' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(3);
    const st = JSON.parse(r.stdout) as Record<string, { ok: boolean; detail?: string }>;
    expect(st.mysql).toMatchObject({
      ok: false,
      detail: "ER_ACCESS_DENIED_ERROR: Access denied for user 'pinpipe'@'127.0.0.1' (using password: YES)",
    });
    expect(st.kafka!.ok).toBe(true);
    expect(st.s3!.ok).toBe(true);
    expect(r.stdout + r.stderr).not.toContain('wrong-pw-4d1f');
  });
});
