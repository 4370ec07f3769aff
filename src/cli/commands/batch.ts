import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('batch')
    .description('Clean the three tables and run the analytics in DuckDB (issue 6)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe batch is not implemented yet.');
    });
}
