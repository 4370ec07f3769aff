import { describe, expect, it } from 'vitest';
import { parseBatchBenchArgs } from '../batch-args.ts';
import { isPinpipeError } from '../../src/errors.ts';

describe('bench:batch arguments', () => {
  it('defaults: 100k and 1M, Spark at both, one run each, no extra days, README written', () => {
    expect(parseBatchBenchArgs([])).toEqual({
      help: false,
      sizes: [100_000, 1_000_000],
      fetchSizes: [],
      sparkSizes: [100_000, 1_000_000],
      repeat: 1,
      days: 0,
      steady: false,
      readme: true,
    });
  });

  it('reads every option; --10m adds 10M posts, which Spark skips unless --spark-sizes names it', () => {
    expect(
      parseBatchBenchArgs([
        '--sizes',
        '1000000',
        '--10m',
        '--repeat',
        '3',
        '--days',
        '10',
        '--steady',
        '--no-readme',
      ]),
    ).toEqual({
      help: false,
      sizes: [1_000_000, 10_000_000],
      fetchSizes: [],
      sparkSizes: [1_000_000],
      repeat: 3,
      days: 10,
      steady: true,
      readme: false,
    });
    expect(parseBatchBenchArgs(['--no-spark', '--fetch-sizes', '100000']).sparkSizes).toEqual([]);
    expect(parseBatchBenchArgs(['--fetch-sizes', '100000']).fetchSizes).toEqual([100_000]);
    expect(parseBatchBenchArgs(['-h']).help).toBe(true);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--repeat'], "Option '--repeat <value>' argument missing"],
    [['--sizes', 'abc'], '--sizes takes whole numbers at least 1, comma-separated; got "abc"'],
    [['--repeat', '0'], '--repeat takes a whole number at least 1; got "0"'],
    [['--days', '51'], '--days takes a whole number from 1 to 50; got "51"'],
    [['--days', '2,3'], '--days takes a whole number from 1 to 50; got "2,3"'],
    [['--days', '1.5'], '--days takes a whole number from 1 to 50; got "1.5"'],
  ])('refuses %j with a usage error naming the option', (argv, message) => {
    let caught: unknown;
    try {
      parseBatchBenchArgs(argv);
    } catch (err) {
      caught = err;
    }
    expect(isPinpipeError(caught, 'USAGE'), String(caught)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});
