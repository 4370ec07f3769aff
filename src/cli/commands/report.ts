import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('report')
    .description('Write the HTML report of the analytics (issue 7)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe report is not implemented yet.');
    });
}
