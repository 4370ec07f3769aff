import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('status')
    .description('Show lag per topic, objects in S3 and the last batch (issue 7)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe status is not implemented yet.');
    });
}
