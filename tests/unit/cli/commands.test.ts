import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandName, loadCommands } from '../../../src/cli/commands/index.ts';
import type { CommandContext } from '../../../src/cli/context.ts';

const names = async (name?: string) => {
  const program = new Command('pinpipe');
  for (const register of await loadCommands(name)) register(program, {} as CommandContext);
  return program.commands.map((c) => c.name());
};

describe('the command word', () => {
  it('is the first word that is neither an option nor the value of one', () => {
    expect(commandName(['node', 'pinpipe', 'batch', '--source', 'x'])).toBe('batch');
    expect(commandName(['node', 'pinpipe', '-p', 'local', 'batch'])).toBe('batch');
    expect(commandName(['node', 'pinpipe', '--profile', 'aws', '--log-level', 'warn', 'sql'])).toBe('sql');
    expect(commandName(['node', 'pinpipe', '--profile=aws', 'sink'])).toBe('sink');
    expect(commandName(['node', 'pinpipe', '--', 'seed'])).toBe('seed');
    expect(commandName(['node', 'pinpipe', '--help'])).toBeUndefined();
  });
});

describe('loadCommands', () => {
  it('imports only the named command', async () => {
    expect(await names('batch')).toEqual(['batch']);
  });

  it('imports every command, in pipeline order, for help and unknown words', async () => {
    const all = [
      'seed',
      'proxy',
      'emulate',
      'provision',
      'sink',
      'batch',
      'sql',
      'verify',
      'report',
      'run',
      'status',
      'schedule',
      'doctor',
      'profile',
      'console',
    ];
    expect(await names()).toEqual(all);
    expect(await names('help')).toEqual(all);
    expect(await names('bacth')).toEqual(all);
  });
});
