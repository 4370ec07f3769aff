import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('sink')
    .description('Copy the topics into S3 in the Confluent S3 sink layout (issue 5)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe sink is not implemented yet.');
    });
}
