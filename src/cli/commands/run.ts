import type { Command } from 'commander';
import { type CommandContext, parsePositiveInt } from '../context.ts';
import { LIVE_ROTATE_MS, runPipeline } from '../../pipeline/index.ts';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('run')
    .description(
      'Run the pipeline live: the proxy, the sink and the emulator until Ctrl-C, and the batch on a cron schedule. ' +
        'Watch it with `pinpipe status` in another terminal.',
    )
    .option('--cron <expr>', 'when to run the batch (default: the profile schedule.cron, daily at midnight)')
    .option(
      '--rate <posts>',
      'emulate N posts per second (default: the original pace, one record per request, 0–2 s apart)',
      parsePositiveInt('--rate'),
    )
    .option('--no-emulate', 'do not run the emulator (proxy + sink + schedule only)')
    .option('--batch-now', 'also run the batch once at start')
    .option(
      '--rotate-schedule-interval-ms <ms>',
      `the sink closes its open objects this often, so S3 follows the run (0 = only every flush.size records; ` +
        `default: the profile's sink.rotateScheduleIntervalMs when set, else ${LIVE_ROTATE_MS}; shorter = more, smaller objects)`,
      parsePositiveInt('--rotate-schedule-interval-ms', 0),
    )
    .action(
      async (opts: {
        cron?: string;
        rate?: number;
        emulate: boolean;
        batchNow?: boolean;
        rotateScheduleIntervalMs?: number;
      }) => {
        const { profile } = ctx.profile();
        await runPipeline({
          profile,
          logger: ctx.logger,
          signal: ctx.signal,
          cron: opts.cron ?? profile.schedule.cron,
          rate: opts.rate,
          emulate: opts.emulate,
          batchNow: Boolean(opts.batchNow),
          rotateScheduleIntervalMs: opts.rotateScheduleIntervalMs,
        });
      },
    );
}
