import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('run')
    .description('Run the pipeline live: proxy + sink + emulator, batch on a schedule (issue 7)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe run is not implemented yet.');
    });
}
