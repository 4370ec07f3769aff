import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('schedule')
    .description('Run the batch on a cron schedule (issue 8)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe schedule is not implemented yet.');
    });
}
