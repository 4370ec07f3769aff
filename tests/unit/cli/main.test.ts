import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram, main } from '../../../src/cli/main.ts';
import type { CommandContext } from '../../../src/cli/context.ts';
import { createLogger, log, setLogger } from '../../../src/log.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

afterEach(() => {
  vi.restoreAllMocks();
});

function captureStdout(): () => string {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return () => chunks.join('');
}

describe('pinpipe --version', () => {
  it("prints package.json's version and exits 0", async () => {
    const stdout = captureStdout();
    expect(await main(['node', 'pinpipe', '--version'])).toBe(0);
    expect(stdout()).toBe(`${pkg.version}\n`);
  });

  it('answers -V the same way', async () => {
    const stdout = captureStdout();
    expect(await main(['node', 'pinpipe', '-V'])).toBe(0);
    expect(stdout()).toBe(`${pkg.version}\n`);
  });
});

describe('--log-level', () => {
  it("reaches the context's logger, which was taken before the flag was parsed", async () => {
    const holder: { ctx?: CommandContext } = {};
    const program = buildProgram(holder, new AbortController().signal);
    const seen: string[] = [];
    program.command('probe').action(() => {
      seen.push(holder.ctx!.logger.level);
    });
    await program.parseAsync(['node', 'pinpipe', '--log-level', 'warn', 'probe']);
    await program.parseAsync(['node', 'pinpipe', '--log-level', 'error', 'probe']);
    expect(seen).toEqual(['warn', 'error']);
  });

  it('reaches a logger a module took from log() before the flag was applied', async () => {
    setLogger(createLogger('info'));
    const early = log();
    const program = buildProgram({}, new AbortController().signal);
    program.command('probe').action(() => {});
    await program.parseAsync(['node', 'pinpipe', '--log-level', 'debug', 'probe']);
    expect(early.level).toBe('debug');
    expect(log()).toBe(early);
    await program.parseAsync(['node', 'pinpipe', '--log-level', 'error', 'probe']);
    expect([early.level, early.isLevelEnabled('warn')]).toEqual(['error', false]);
  });
});
