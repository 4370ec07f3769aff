import { startLedgerRun } from '../../ledger/index.ts';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parsePositiveInt, type CommandContext } from '../context.ts';
import { createProgress, type Progress } from '../progress.ts';
import { PinpipeError } from '../../errors.ts';
import {
  DEFAULT_FAST_COUNT,
  failureHint,
  formatSummary,
  parseDuration,
  resolveTarget,
  runEmulator,
  type EmulatorSummary,
} from '../../emulator/index.ts';

interface EmulateFlags {
  count?: number;
  duration?: number;
  rate?: number;
  concurrency?: number;
  batch?: number;
  seed?: number;
  faithful?: boolean;
  direct?: boolean;
  url?: string;
  json?: boolean;
  summaryFile?: string;
}

function parseRate(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new PinpipeError('USAGE', `--rate must be a positive number (got "${value}").`);
  return n;
}

function parseSeed(value: string): number {
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new PinpipeError('USAGE', `--seed must be an integer (got "${value}").`);
  }
  return Number(value);
}

/** A bar over posts (--count), over seconds (--duration), or none when the run is open-ended. */
function progressFor(
  flags: EmulateFlags,
  count: number | undefined,
  enabled: boolean,
): { bar: Progress; bySeconds: boolean } {
  if (count !== undefined)
    return {
      bar: createProgress({ label: 'emulate', total: count, unit: 'posts', enabled }),
      bySeconds: false,
    };
  if (flags.duration !== undefined) {
    return {
      bar: createProgress({ label: 'emulate', total: Math.ceil(flags.duration / 1000), unit: 's', enabled }),
      bySeconds: true,
    };
  }
  return { bar: createProgress({ label: 'emulate', total: 0, enabled: false }), bySeconds: false };
}

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('emulate')
    .description('Post random source rows to the three topics through the invoke URL')
    .option(
      '-n, --count <posts>',
      'posts to send (each post = one record per topic); fast mode default 1000',
      parsePositiveInt('--count'),
    )
    .option('-d, --duration <time>', 'stop after this long: 90, 90s, 500ms, 5m, 1h', parseDuration)
    .option('--rate <posts/s>', 'at most this many posts per second', parseRate)
    .option('-c, --concurrency <n>', 'HTTP requests in flight (default 8)', parsePositiveInt('--concurrency'))
    .option('-b, --batch <records>', 'records per request (default 1)', parsePositiveInt('--batch'))
    .option(
      '--seed <n>',
      'seed of the row choice (reproducible runs); random and reported when absent',
      parseSeed,
    )
    .option(
      '--faithful',
      'as the original: one record per request, one at a time, sleep 0–2 s; runs until Ctrl-C, --count or --duration',
    )
    .option('--direct', 'post straight to the REST proxy (profile proxy.url), skipping API Gateway')
    .option('--url <base>', 'post to <base>/topics/<topic> instead')
    .option('--json', 'print the summary as JSON on stdout (with the acknowledged inds per topic)')
    .option('--summary-file <path>', 'also write the JSON summary to this file')
    .action(async (flags: EmulateFlags) => {
      const { profile } = ctx.profile();
      if (flags.url && flags.direct)
        throw new PinpipeError('USAGE', 'Use either --url or --direct, not both.');
      const target = await resolveTarget(profile, { url: flags.url, direct: flags.direct });
      const count =
        flags.count ?? (flags.faithful || flags.duration !== undefined ? undefined : DEFAULT_FAST_COUNT);
      const { bar, bySeconds } = progressFor(flags, count, ctx.env.isTTY && !flags.json);
      ctx.logger.info(`emulating ${count ?? 'open-ended'} posts → ${target.url} (${target.kind})`);
      let lastLog = 0;
      let summary: EmulatorSummary;
      // The reconciliation (pinpipe verify) and `pinpipe status` read what was acknowledged from this
      // ledger, written as the run goes.
      const ledger = startLedgerRun(profile, target.url);
      try {
        summary = await runEmulator({
          profile,
          url: target.url,
          count,
          durationMs: flags.duration,
          rate: flags.rate,
          concurrency: flags.concurrency,
          batch: flags.batch,
          seed: flags.seed,
          faithful: flags.faithful,
          signal: ctx.signal,
          onProgress: (p) => {
            ledger.progress(p);
            bar.update(
              bySeconds
                ? Math.min(Math.floor(p.elapsedMs / 1000), Math.ceil((flags.duration ?? 0) / 1000))
                : p.postsSent,
            );
            if (!ctx.env.isTTY && p.elapsedMs - lastLog >= 10_000) {
              lastLog = p.elapsedMs;
              ctx.logger.info(
                `posts ${p.postsSent}, records acknowledged ${p.recordsAcknowledged}, failed ${p.recordsFailed}`,
              );
            }
          },
        });
      } finally {
        bar.stop();
      }
      ledger.finish(summary);
      const json = JSON.stringify(summary);
      if (flags.summaryFile) {
        await fs.mkdir(path.dirname(path.resolve(flags.summaryFile)), { recursive: true });
        await fs.writeFile(flags.summaryFile, `${json}\n`);
      }
      ctx.out(flags.json ? json : formatSummary(summary));
      if (summary.records.missing > 0) {
        ctx.logger.warn(
          `${summary.records.missing} drawn record(s) had no source row and were not sent (gaps in the ind column).`,
        );
      }
      if (summary.records.failed > 0 || summary.stopReason === 'failures') {
        const why = summary.stopReason === 'failures' ? ' and stopped after repeated failures' : '';
        throw new PinpipeError(
          'EMULATOR_FAILED',
          `${summary.records.failed} of ${summary.records.sent} record(s) were not acknowledged${why} (first: ${summary.failures[0]?.message ?? 'n/a'}). ` +
            failureHint(summary, target.kind, profile.proxy.url),
          { details: { failed: summary.records.failed } },
        );
      }
    });
}
