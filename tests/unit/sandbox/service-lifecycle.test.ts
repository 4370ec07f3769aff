import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Profile } from '../../../src/config/schema.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { defineService, type SandboxService, type ServiceSpec } from '../../../sandbox/lib/service.ts';
import { freePort } from '../../../testkit/ports.ts';

// A stand-in service: a node process that marks its folder ready and idles until signalled.
const IDLE = "require('fs').writeFileSync(process.argv[1] + '/ready', ''); setInterval(() => {}, 1000);";
const profile = { sandbox: { startTimeoutSec: 10 } } as Profile;

const started: SandboxService[] = [];

afterEach(async () => {
  for (const svc of started.splice(0)) await svc.stop();
});

function fakeService(port: number, ports: ServiceSpec['ports'] = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-svc-'));
  const released: number[] = [];
  const said: string[] = [];
  const spec: ServiceSpec = {
    name: 'mysql',
    title: 'Stand-in',
    dir,
    pidFile: path.join(dir, 'svc.pid'),
    logFile: path.join(dir, 'svc.log'),
    needle: dir,
    port,
    ports,
    healthTimeoutMs: 1000,
    stopTimeoutMs: 5000,
    prepare: async () => {},
    launch: () => ({ cmd: process.execPath, args: ['-e', IDLE, dir] }),
    probe: () => ({
      what: 'stand-in check',
      run: async () => {
        if (!fs.existsSync(path.join(dir, 'ready'))) throw new Error('not ready yet');
      },
      release: () => {
        released.push(1);
      },
    }),
    ensureResources: async () => {},
  };
  const svc = defineService(spec, profile, (m) => said.push(m));
  started.push(svc);
  return { svc, spec, dir, released, said };
}

describe('defineService: the one lifecycle of the sandbox services', () => {
  it('starts the process, records and verifies its pid, checks health, stops it by pid and wipes its folder', async () => {
    const port = await freePort();
    const { svc, spec, dir, released } = fakeService(port);
    expect(svc.runningPid()).toBeUndefined();
    await svc.start();
    const pid = svc.runningPid();
    expect(pid).toBeGreaterThan(0);
    expect(await svc.health()).toEqual({ ok: true, endpoint: `127.0.0.1:${port}`, pid });
    expect(released.length).toBeGreaterThanOrEqual(2); // every probe's client is released
    expect(await svc.stop()).toBe(true);
    expect(fs.existsSync(spec.pidFile)).toBe(false);
    expect(await svc.stop()).toBe(false);
    svc.wipe();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses a port that is taken, with SANDBOX_PORT_IN_USE and the fix, before spawning anything', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { svc, spec } = fakeService(port, [{ port, what: 'the stand-in', fix: 'pick another port' }]);
      const err = await svc.start().catch((e: unknown) => e);
      expect(isPinpipeError(err, 'SANDBOX_PORT_IN_USE')).toBe(true);
      expect((err as Error).message).toContain(
        `Port 127.0.0.1:${port} needed by the stand-in is already in use`,
      );
      expect((err as Error).message).toContain('or pick another port.');
      expect(fs.existsSync(spec.pidFile)).toBe(false);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports a failing probe as unhealthy with its message, and releases its client', async () => {
    const port = await freePort();
    const { svc, released } = fakeService(port);
    expect(await svc.health(500)).toEqual({
      ok: false,
      endpoint: `127.0.0.1:${port}`,
      pid: undefined,
      detail: 'not ready yet',
    });
    expect(released).toEqual([1]);
  });
});
