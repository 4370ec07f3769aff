import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { PinpipeError } from '../../errors.ts';
import { formatStatus, pipelineStatus } from '../../pipeline/index.ts';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('status')
    .description(
      'Show per topic the records in Kafka, the sink lag and buffered records, objects in S3, records the emulator and ' +
        'the proxy acknowledged; whether the proxy and the sink run; the last batch. Exit 3 when Kafka or S3 cannot be read.',
    )
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { profile } = ctx.profile();
      const st = await pipelineStatus(profile);
      ctx.out(opts.json ? JSON.stringify(st, null, 2) : formatStatus(st));
      if (st.errors.length > 0) {
        throw new PinpipeError(
          'SANDBOX_UNHEALTHY',
          `Part of the status is unavailable (${st.errors.join('; ')}). On the sandbox: npm run sandbox:up.`,
        );
      }
    });
}
