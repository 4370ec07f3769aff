import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('seed')
    .description('Create the source tables and load deterministic Pinterest-shaped rows (issue 3)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe seed is not implemented yet.');
    });
}
