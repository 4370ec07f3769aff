// bin/pinpipe.mjs started by a Node older than the project supports: it runs itself again under the
// project's Node (node_modules/.bin/node), or, where that Node is missing, stops with one line saying
// what to do. Needs an older Node on the machine (this machine kind's system Node is 20).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };

/** A Node on this machine older than 22.22 (the system one, outside node_modules), if any. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const [major, minor] = r.stdout.trim().split('.').map(Number) as [number, number];
    if (major < 22 || (major === 22 && minor < 22)) return candidate;
  }
  return undefined;
}
const old = olderNode();

describe.skipIf(!old)(`bin/pinpipe.mjs on an older Node (${old ?? 'none on this machine'})`, () => {
  it("runs under the project's Node when npm ci has brought it", () => {
    const r = spawnSync(old!, [path.join(root, 'bin/pinpipe.mjs'), '--version'], {
      encoding: 'utf8',
      env: { ...process.env, REEXEC_BY_PINPIPE_BIN: '' },
    });
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: pkg.version });
  }, 60_000); // two Node starts and the whole CLI loaded through tsx: slow on two busy cores

  it('stops with one line saying what to do when the project has no Node of its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-bin-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.copyFileSync(path.join(root, 'bin/pinpipe.mjs'), path.join(dir, 'bin/pinpipe.mjs'));
      const r = spawnSync(old!, [path.join(dir, 'bin/pinpipe.mjs'), '--version'], { encoding: 'utf8' });
      const version = spawnSync(old!, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 1,
        stdout: '',
        stderr: `pinpipe needs Node 24 (or 22.22+), this is Node ${version}: run \`npm ci\` in ${dir}/ (it brings Node 24 from the npm registry), then \`npx pinpipe\`.\n`,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
