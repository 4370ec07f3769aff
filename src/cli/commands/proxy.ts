import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';

export function register(program: Command, _ctx: CommandContext): void {
  program
    .command('proxy')
    .description('Serve the Kafka REST Proxy v2 produce API (issue 4)')
    .action(async () => {
      throw new PinpipeError('INTERNAL', 'pinpipe proxy is not implemented yet.');
    });
}
