import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('doctor')
    .description('Check credentials, bucket, Kafka, invoke URL and MySQL for a profile (issue 10)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe doctor is not implemented yet.');
    });
}
