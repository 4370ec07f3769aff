import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { loadCommands } from '../../src/cli/commands/index.ts';
import type { CommandContext } from '../../src/cli/context.ts';
import {
  excerptPattern,
  extractWalkthrough,
  readWalkthrough,
  WALKTHROUGH,
  walkthroughScript,
} from '../helpers/walkthrough.ts';

describe('the walkthrough extractor', () => {
  it('reads commands, continuations and excerpts from `console walkthrough` blocks only', () => {
    const md = [
      '## 1. One',
      '```console',
      '$ not run',
      '```',
      '```console walkthrough',
      '$ echo a \\',
      '    b',
      'a b',
      '',
      '$ true',
      '```',
      '## 2. Two',
      '```console  walkthrough',
      '$ echo c',
      '```',
    ].join('\n');
    expect(extractWalkthrough(md)).toEqual([
      { step: '1. One', command: 'echo a \\\n    b', excerpts: ['a b'] },
      { step: '1. One', command: 'true', excerpts: [] },
      { step: '2. Two', command: 'echo c', excerpts: [] },
    ]);
    expect(() => extractWalkthrough('```console walkthrough\n$ x\n')).toThrow('not closed');
    expect(walkthroughScript([{ step: 's', command: 'true', excerpts: [] }])).toBe(
      "set -euo pipefail\necho '::walkthrough command 0::' >&2\ntrue\nwait\n",
    );
  });

  it('matches excerpts with … as anything and any run of spaces', () => {
    const re = excerptPattern('mysql  ok   127.0.0.1:… pid …');
    expect(re.test('mysql  ok   127.0.0.1:3307 pid 6750')).toBe(true);
    expect(re.test('mysql  DOWN 127.0.0.1:3307')).toBe(false);
    expect(excerptPattern('a (b) [c]').test('x a  (b) [c] y')).toBe(true);
  });
});

describe('docs/walkthrough.md', () => {
  const steps = readWalkthrough();
  it('runs steps 0 to 12 in order, then the live run; step 11 is pinpipe verify', () => {
    const numbers = steps
      .map((c) => /^(\d+)\./.exec(c.step)?.[1])
      .filter((n) => n !== undefined)
      .map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers)).toEqual(new Set([0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(steps.find((c) => c.command === 'pinpipe verify')?.step).toMatch(/^11\. /);
    expect(steps.at(-1)?.step).toBe('Watching it live');
  });

  it('uses only pinpipe commands that exist', async () => {
    const program = new Command('pinpipe');
    for (const register of await loadCommands()) register(program, {} as CommandContext);
    const known = new Set(program.commands.map((c) => c.name()));
    const used = steps.flatMap((c) =>
      [...c.command.matchAll(/(?:^|[;&|(]\s*|\$\()pinpipe (\w+)/g)].map((m) => m[1]!),
    );
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(known, name).toContain(name);
  });

  const md = fs.readFileSync(WALKTHROUGH, 'utf8');

  it('stops the background proxy it started: `kill $!` hits pinpipe itself, not npm', () => {
    const backgrounded = steps.filter((c) => /&\s*$/.test(c.command));
    expect(backgrounded.map((c) => c.command)).toEqual(['pinpipe proxy &', 'pinpipe run --rate 20 &']);
    // `pinpipe` is node itself (the alias), never a wrapper that would be the one killed
    expect(md).toMatch(/^\$ alias pinpipe='node bin\/pinpipe\.mjs'$/m);
    expect(md).not.toMatch(/npm run -s pinpipe -- in its place|or use `npm run -s pinpipe --`/);
  });

  it('says where its figures hold: on a fresh sandbox, from `npm run sandbox:reset`', () => {
    const reset = md.indexOf('npm run sandbox:reset');
    expect(reset).toBeGreaterThan(-1);
    expect(reset).toBeLessThan(md.indexOf('"offset":0,"error_code"'));
  });
});
