import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('emulate')
    .description('Post random source rows to the three topics through the invoke URL (issue 4)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe emulate is not implemented yet.');
    });
}
