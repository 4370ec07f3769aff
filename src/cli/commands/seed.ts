import type { Command } from 'commander';
import { parsePositiveInt, type CommandContext } from '../context.ts';
import { createProgress } from '../progress.ts';
import { PinpipeError } from '../../errors.ts';
import {
  checksumTables,
  connectForSeed,
  seedDatabase,
  type Checksum,
  type SeedResult,
} from '../../seed/index.ts';

interface SeedFlags {
  rows?: number;
  seed?: number;
  force?: boolean;
  checksum?: boolean;
  json?: boolean;
  method: 'auto' | 'infile' | 'insert';
}

const METHODS = ['auto', 'infile', 'insert'] as const;

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('seed')
    .description(
      'Create the source tables and load deterministic Pinterest-shaped rows. ' +
        'With --checksum alone, print the content checksum of the three tables instead.',
    )
    .option(
      '--rows <n>',
      'rows per table (default: the profile’s sandbox.seedRows, 11000)',
      parsePositiveInt('--rows'),
    )
    .option(
      '--seed <s>',
      'generator seed (default: the profile’s sandbox.seedSeed, 42)',
      parsePositiveInt('--seed', 0),
    )
    .option('--force', 'replace tables of another shape or rows that pinpipe seed did not write')
    .option('--checksum', 'print the content checksum of the three tables (after loading, if asked to load)')
    .option('--json', 'print the result as JSON')
    .option(
      '--method <m>',
      'auto | infile (LOAD DATA LOCAL INFILE) | insert (batched INSERTs)',
      parseMethod,
      'auto',
    )
    .action(async (flags: SeedFlags) => {
      const { profile } = ctx.profile();
      const checksumOnly =
        flags.checksum && flags.rows === undefined && flags.seed === undefined && !flags.force;
      let result: SeedResult | undefined;
      if (!checksumOnly) {
        const rows = flags.rows ?? profile.sandbox.seedRows;
        const progress = createProgress({
          label: 'seed',
          total: rows * 3,
          unit: 'rows',
          enabled: ctx.env.isTTY && !flags.json,
        });
        try {
          result = await seedDatabase(profile, {
            rows,
            seed: flags.seed ?? profile.sandbox.seedSeed,
            force: Boolean(flags.force),
            method: flags.method,
            signal: ctx.signal,
            onRows: (n) => progress.increment(n),
          });
        } finally {
          progress.stop();
        }
      }
      let checksum: Checksum | undefined;
      if (flags.checksum) {
        const conn = await connectForSeed(profile);
        try {
          checksum = await checksumTables(conn);
        } finally {
          await conn.end().catch(() => undefined);
        }
      }
      if (flags.json) {
        ctx.out(JSON.stringify({ ...(result ? { seed: result } : {}), ...(checksum ? { checksum } : {}) }));
        return;
      }
      if (result) ctx.out(summary(result));
      if (checksum)
        ctx.out(`${checksum.checksum}  ${checksum.tables.map((t) => `${t.table}=${t.rows}`).join(' ')}`);
    });
}

function parseMethod(value: string): SeedFlags['method'] {
  if (!(METHODS as readonly string[]).includes(value)) {
    throw new PinpipeError('USAGE', `--method must be one of ${METHODS.join(', ')} (got "${value}").`);
  }
  return value as SeedFlags['method'];
}

export function summary(r: SeedResult): string {
  if (r.action === 'unchanged') return `seed: database ${r.database} unchanged: ${r.reason}.`;
  const perSecond = Math.round((r.rows * 3) / Math.max(r.seconds, 0.001)).toLocaleString('en-US');
  return (
    `seed: loaded ${r.rows.toLocaleString('en-US')} rows per table (seed ${r.seed}) into database ${r.database} ` +
    `via ${r.method} in ${r.seconds.toFixed(1)} s (${perSecond} rows/s)`
  );
}
