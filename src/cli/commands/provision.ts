import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('provision')
    .description('Create the bucket, topics and the API Gateway REST API of the profile (issues 4, 10)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe provision is not implemented yet.');
    });
}
