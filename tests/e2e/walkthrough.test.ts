import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../testkit/ports.ts';
import { privateSandboxEnv } from '../../testkit/private-sandbox.ts';
import { ROOT, runTs } from '../helpers/run.ts';
import { excerptPattern, marker, readWalkthrough, walkthroughScript } from '../helpers/walkthrough.ts';

/**
 * docs/walkthrough.md, followed to the letter: its runnable blocks, extracted from the document, run in
 * order in one bash on a fresh private sandbox; every excerpt line must appear in the output of its
 * command (or the one before: background processes print when they like), step 11's verify must say
 * "ok", and `npm run demo` must pass afterwards.
 */
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  env = await privateSandboxEnv();
  // The private folder holds the `pinpipe` shim and the log; the sandbox is its `.sandbox`, as by default
  // (sandbox:up only marks a new or empty folder as a sandbox).
  dir = env.PINPIPE_SANDBOX__DIR!;
  const port = await freePort();
  Object.assign(env, {
    PINPIPE_SANDBOX__DIR: path.join(dir, '.sandbox'),
    PINPIPE_PROXY__PORT: String(port),
    PINPIPE_PROXY__URL: `http://127.0.0.1:${port}`,
    // Inside the private folder, under a `.sandbox` like the default, so the excerpts' paths hold.
    PINPIPE_BATCH__WORK_DIR: path.join(dir, '.sandbox', 'batch'),
  });
  // `pinpipe` as a command, like the alias the walkthrough asks for (aliases are off in scripts).
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(
    path.join(bin, 'pinpipe'),
    `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin', 'pinpipe.mjs')}" "$@"\n`,
    { mode: 0o755 },
  );
  env.PATH = `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`;
});

afterAll(async () => {
  if (!env) return;
  await runTs('scripts/sandbox-down.ts', [], { env });
  fs.rmSync(dir, { recursive: true, force: true });
});

function runBash(script: string, logFile: string, timeoutMs: number): Promise<number | null> {
  const fd = fs.openSync(logFile, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', fd, fd],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.closeSync(fd);
      resolve(code);
    });
  });
}

describe('docs/walkthrough.md, command by command', { timeout: 420_000 }, () => {
  it('runs every runnable command in order; the output shows every excerpt; verify says ok; the demo passes', async () => {
    const commands = readWalkthrough();
    const log = path.join(dir, 'walkthrough.log');
    const code = await runBash(walkthroughScript(commands), log, 360_000);
    const out = fs.readFileSync(log, 'utf8');
    // The output of command i: from its marker to the next one (background output may land late, so
    // the window starts at the previous command's marker).
    const windowOf = (i: number) => {
      const from = out.indexOf(marker(Math.max(0, i - 1)));
      const next = out.indexOf(marker(i + 1));
      return out.slice(from, next < 0 ? undefined : next);
    };
    const ran = commands.filter((_, i) => out.includes(marker(i))).length;
    expect(code, `stopped at: ${commands[ran - 1]?.command}\n${out.slice(-4000)}`).toBe(0);
    expect(ran).toBe(commands.length);
    for (const [i, c] of commands.entries()) {
      const lines = windowOf(i).split('\n');
      for (const excerpt of c.excerpts) {
        const re = excerptPattern(excerpt);
        expect(
          lines.some((l) => re.test(l)),
          `${c.step}: \`${c.command}\` should print a line like\n  ${excerpt}\nbut printed:\n${windowOf(i).slice(-3000)}`,
        ).toBe(true);
      }
    }
    const verify = commands.findIndex((c) => c.command === 'pinpipe verify');
    expect(commands[verify]!.step).toMatch(/^11\. /);
    expect(windowOf(verify)).toContain('reconciliation: every record is accounted for');
    expect(out).not.toContain('MaxListenersExceededWarning');

    const demo = await runTs('scripts/demo.ts', ['--count', '50'], { env });
    expect(demo.code, demo.stderr.slice(-3000)).toBe(0);
    expect(demo.stdout).toMatch(/^0e7ae8feb921\.pin\s+50\s+50\s+50\s/m);
    expect(demo.stdout).toContain('reconciliation: every record is accounted for');
  });
});
