import { Command, type Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadCommands } from '../../../src/cli/commands/index.ts';
import { MAX_TIMER_MS, type CommandContext } from '../../../src/cli/context.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { runCli } from '../../helpers/run.ts';

/** Every option of every command that parses its value, as `<command> <flag>`. */
async function parsedOptions(): Promise<Array<{ name: string; option: Option }>> {
  const program = new Command('pinpipe');
  for (const register of await loadCommands()) register(program, {} as CommandContext);
  return program.commands.flatMap((c) =>
    c.options.filter((o) => o.parseArg).map((option) => ({ name: `${c.name()} ${option.long}`, option })),
  );
}

/** What the option's parser makes of `value`: the value, or the error code it throws ('OTHER' if not ours). */
function parse(option: Option, value: string): { value: unknown } | { code: string } {
  try {
    return { value: option.parseArg!(value, undefined) };
  } catch (err) {
    return { code: isPinpipeError(err) ? err.code : `OTHER: ${String(err)}` };
  }
}

describe('numeric flags: a bad value is a USAGE error (exit 2), never a crash later', () => {
  it('ports: 0 to 65535 on every command that listens', async () => {
    const ports = (await parsedOptions()).filter((o) => o.option.flags.includes('<port>'));
    expect(ports.map((p) => p.name)).toEqual(['proxy --port', 'sink --metrics-port', 'console --port']);
    for (const { name, option } of ports) {
      for (const bad of ['99999', '65536', '-1', '80.5', 'http'])
        expect(parse(option, bad), `${name} ${bad}`).toEqual({ code: 'USAGE' });
      expect(parse(option, '0')).toEqual({ value: 0 });
      expect(parse(option, '65535')).toEqual({ value: 65535 });
    }
  });

  it("milliseconds: at most what Node's timers take", async () => {
    const ms = (await parsedOptions()).filter((o) => /<ms>/.test(o.option.flags));
    expect(ms.length).toBeGreaterThanOrEqual(5);
    for (const { name, option } of ms) {
      expect(parse(option, String(MAX_TIMER_MS + 1)), name).toEqual({ code: 'USAGE' });
      expect(parse(option, '99999999999999999999'), name).toEqual({ code: 'USAGE' });
    }
    const session = ms.find((o) => o.name === 'sink --session-timeout-ms')!.option;
    expect(parse(session, '1800001')).toEqual({ code: 'USAGE' });
    expect(parse(session, '1800000')).toEqual({ value: 1_800_000 });
  });

  it('every parsed flag answers any text with a value or a USAGE error', async () => {
    const all = await parsedOptions();
    expect(all.length).toBeGreaterThan(15);
    const texts = ['', 'abc', '-1', '0', '1.5', '1e400', 'NaN', 'Infinity', '99999999999999999999', '٣'];
    for (const { name, option } of all) {
      for (const t of texts) {
        const r = parse(option, t);
        if ('code' in r) expect(r.code, `${name} "${t}"`).toBe('USAGE');
      }
    }
  });

  it('pinpipe console --port 99999 exits 2 with [USAGE] before starting anything', async () => {
    const r = await runCli(['console', '--port', '99999'], { timeoutMs: 60_000 });
    expect(r.stderr).toMatch(/--port must be from 0 to 65535 \(got 99999\)\. \[USAGE\]/);
    expect(r.code).toBe(2);
  });
});
