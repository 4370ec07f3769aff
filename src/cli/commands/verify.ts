import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('verify')
    .description('Reconcile emulator, Kafka, S3 and clean-table counts (issue 7)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe verify is not implemented yet.');
    });
}
