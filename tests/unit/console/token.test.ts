import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { ROOT } from '../../helpers/run.ts';

// The console's token check goes through crypto.timingSafeEqual: spied here, the real one answers.
const timing = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    default: real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      timing.calls++;
      return real.timingSafeEqual(a, b);
    },
  };
});

const { checkAccess } = await import('../../../src/console/http-rules.ts');

describe('the console token', () => {
  const req = (token: string) => ({ url: `/api/state?token=${token}`, headers: { host: '127.0.0.1:8090' } });

  it('is compared in constant time: a near miss and a wrong length are refused the same way', () => {
    const token = 'AbCdEfGhIjKlMnOpQrStUvWx';
    timing.calls = 0;
    expect(checkAccess(req(token), token, 8090)).toBeUndefined();
    expect(checkAccess(req(`${token.slice(0, -1)}y`), token, 8090)?.status).toBe(403);
    expect(checkAccess(req('short'), token, 8090)?.status).toBe(403);
    expect(timing.calls).toBe(3);
  });
});

describe('pinpipe console --open', { timeout: 60_000 }, () => {
  it('hands the browser a private launch page, never the URL with its token, and removes the page on exit', async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-open-'));
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    const record = path.join(work, 'argv');
    // a stand-in for xdg-open: records its arguments, its file's mode and contents
    fs.writeFileSync(
      path.join(bin, 'xdg-open'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.tmp"\nstat -c %a "$1" >> "${record}.tmp"\nstat -c %a "$(dirname "$1")" >> "${record}.tmp"\ncat "$1" > "${record}.page"\nmv "${record}.tmp" "${record}"\n`,
      { mode: 0o755 },
    );
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bin', 'pinpipe.mjs'), 'console', '--port', '0', '--open'],
      { cwd: ROOT, env: { ...process.env, CI: 'true', PATH: `${bin}:${process.env.PATH}` }, stdio: 'pipe' },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 45_000;
      while (!fs.existsSync(record) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [opened, fileMode, dirMode] = fs.readFileSync(record, 'utf8').trim().split('\n');
      const url = stdout.trim().split('\n')[0]!;
      const token = new URL(url).searchParams.get('token')!;
      expect(token.length).toBeGreaterThan(16);
      expect(opened).toMatch(/\/pinpipe-console-[^/]+\/open\.html$/);
      expect(opened).not.toContain(token);
      expect([fileMode, dirMode]).toEqual(['600', '700']);
      expect(fs.readFileSync(`${record}.page`, 'utf8')).toContain(
        `<meta http-equiv="refresh" content="0;url=${url}">`,
      );
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(fs.existsSync(opened!)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
