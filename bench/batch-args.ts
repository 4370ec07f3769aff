import { parseArgs } from 'node:util';
import { PinpipeError } from '../src/errors.ts';

/** What `npm run bench:batch -- --help` prints. */
export const BATCH_BENCH_USAGE = `npm run bench:batch -- [options]

  --sizes 100000,1000000   the data sets, in posts (default 100000,1000000)
  --10m                    also 10M posts (about 6 GB of objects)
  --repeat N               N runs of the floor, full and incremental batch below 10M; the median is reported (default 1)
  --steady                 also the next day's incremental run (JSON and log only)
  --days N                 also N daily incremental runs in a row, 1–50 (JSON and log only)
  --spark-sizes …          the sizes the Spark engine runs at (default: every size below 10M)
  --no-spark               no Spark run
  --fetch-sizes …          the sizes also run through the sandbox S3 (needs the sandbox; default none)
  --no-readme              do not write README's table
  -h, --help               this text`;

export interface BatchBenchArgs {
  help: boolean;
  sizes: number[];
  fetchSizes: number[];
  sparkSizes: number[];
  repeat: number;
  days: number;
  steady: boolean;
  readme: boolean;
}

/**
 * Parses the bench's arguments; throws a USAGE PinpipeError for an unknown option or a bad value,
 * its message saying which option and what it takes.
 */
export function parseBatchBenchArgs(argv: string[]): BatchBenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        sizes: { type: 'string' },
        '10m': { type: 'boolean', default: false },
        'fetch-sizes': { type: 'string' },
        'spark-sizes': { type: 'string' },
        'no-spark': { type: 'boolean', default: false },
        repeat: { type: 'string' },
        days: { type: 'string' },
        steady: { type: 'boolean', default: false },
        'no-readme': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new PinpipeError('USAGE', (err as Error).message);
  }
  const ints = (
    name: string,
    text: string | undefined,
    dflt: number[],
    min: number,
    max = Infinity,
    one = false,
  ) => {
    if (text === undefined) return dflt;
    const parts = text.split(',').filter(Boolean);
    const nums = parts.map(Number);
    if (
      parts.length === 0 ||
      (one && parts.length > 1) ||
      nums.some((n) => !Number.isInteger(n) || n < min || n > max)
    ) {
      const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
      const what = one ? `a whole number ${range}` : `whole numbers ${range}, comma-separated`;
      throw new PinpipeError('USAGE', `--${name} takes ${what}; got "${text}"`);
    }
    return nums;
  };
  const sizes = [
    ...ints('sizes', values.sizes, [100_000, 1_000_000], 1),
    ...(values['10m'] ? [10_000_000] : []),
  ];
  const one = (name: string, text: string | undefined, dflt: number, min: number, max?: number) =>
    ints(name, text, [dflt], min, max, true)[0]!;
  return {
    help: values.help,
    sizes,
    fetchSizes: ints('fetch-sizes', values['fetch-sizes'], [], 1),
    // the Spark engine runs at 10M posts only when --spark-sizes names it (its 100k run alone takes over a minute)
    sparkSizes: values['no-spark']
      ? []
      : ints(
          'spark-sizes',
          values['spark-sizes'],
          sizes.filter((n) => n < 10_000_000),
          1,
        ),
    repeat: one('repeat', values.repeat, 1, 1),
    days: one('days', values.days, 0, 1, 50),
    steady: values.steady,
    readme: !values['no-readme'],
  };
}
