import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, cacheFolders, pathDirs } from '../../testkit/machine.ts';
import { privateSandboxEnv as privateEnv } from '../../testkit/private-sandbox.ts';
import { processesUsing, up } from '../helpers/sandbox-up.ts';

/**
 * `sandbox up` on a PRIVATE sandbox that cannot start (a prerequisite missing, a service that never
 * becomes healthy): a clear message, exit 3, and every service it started stopped again.
 */
describe('sandbox start failures: clear message, exit 3, nothing half-started', { timeout: 180_000 }, () => {
  it('Java missing: MySQL, already started, is stopped again', async () => {
    const env = await privateEnv({ JAVA_HOME: '/nonexistent/java' });
    const r = await up(env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/JAVA_HOME is \/nonexistent\/java .* Java 17/);
    expect(r.stderr).toMatch(/stopped what this call started: mysql/);
    expect(processesUsing(env.PINPIPE_SANDBOX__DIR!)).toEqual([]);
  });

  it('Python missing: MiniStack cannot be installed, the others are stopped', async () => {
    // An empty cache forces the MiniStack install; a PATH without python3 makes it impossible.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-cache-'));
    fs.symlinkSync(path.join(cacheDir, cacheFolders.kafka), path.join(cache, cacheFolders.kafka));
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-bin-'));
    for (const dir of pathDirs.filter((d) => fs.existsSync(d))) {
      for (const f of fs.readdirSync(dir)) {
        if (/^python/.test(f) || fs.existsSync(path.join(bin, f))) continue;
        fs.symlinkSync(path.join(dir, f), path.join(bin, f));
      }
    }
    const env = await privateEnv({ PINPIPE_CACHE_DIR: cache, PATH: `${bin}:/usr/sbin:/sbin` });
    const r = await up(env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs `python3`, which is not installed\. Install it with: /);
    expect(r.stderr).toMatch(/stopped what this call started: kafka, mysql/);
    expect(processesUsing(env.PINPIPE_SANDBOX__DIR!)).toEqual([]);
  });

  it('a service that never becomes healthy', async () => {
    // A stand-in MiniStack that runs but never listens: up must give up, name it and clean up.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-cache-'));
    fs.symlinkSync(path.join(cacheDir, cacheFolders.kafka), path.join(cache, cacheFolders.kafka));
    const venvBin = path.join(cache, cacheFolders.ministack, 'venv', 'bin');
    fs.mkdirSync(venvBin, { recursive: true });
    fs.writeFileSync(path.join(venvBin, 'ministack'), '#!/bin/sh\nexec sleep 600\n', { mode: 0o755 });
    fs.writeFileSync(path.join(cache, cacheFolders.ministack, 'venv', '.complete'), 'stub\n');
    const env = await privateEnv({ PINPIPE_CACHE_DIR: cache, PINPIPE_SANDBOX__START_TIMEOUT_SEC: '20' });
    const r = await up(env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/MiniStack did not become healthy within 20 s/);
    expect(r.stderr).toMatch(/stopped what this call started: s3, kafka, mysql/);
    expect(processesUsing(env.PINPIPE_SANDBOX__DIR!)).toEqual([]);
  });
});
