import { describe, expect, it } from 'vitest';
import { resolveBatchOptions, resolveSparkBatchOptions } from '../../../src/batch/options.ts';
import { runBatch } from '../../../src/batch/run-batch.ts';
import { executeSparkBatch } from '../../../src/batch/spark.ts';
import { todayUtc } from '../../../src/batch/object-keys.ts';
import { testProfile } from '../../helpers/profile.ts';

const badDate = (got: string) => `--run-date must be a date such as 2026-11-25 (got "${got}").`;

describe('batch options', () => {
  it('defaults the run date to today (UTC) and the Spark master to local[*]', () => {
    expect(resolveBatchOptions({})).toEqual({ runDate: todayUtc() });
    expect(resolveSparkBatchOptions({ runDate: '2026-11-25' })).toEqual({
      runDate: '2026-11-25',
      master: 'local[*]',
    });
  });

  it('gives the exact USAGE message for each bad value', () => {
    for (const runDate of ['2026-02-30', '25/11/2026', '']) {
      expect(() => resolveBatchOptions({ runDate })).toThrow(
        expect.objectContaining({ code: 'USAGE', message: badDate(runDate) }),
      );
    }
    expect(() => resolveSparkBatchOptions({ master: 'mesos://x' })).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message:
          '--spark-master mesos://x is not a Spark master: use local[*], local[N], spark://host:7077, yarn or k8s://...',
      }),
    );
    expect(() => resolveSparkBatchOptions({ runDate: 'x', master: 'mesos://x' })).toThrow(
      expect.objectContaining({ code: 'USAGE', message: badDate('x') }),
    );
  });

  it('validates a programmatic runBatch / executeSparkBatch call before any I/O', async () => {
    const profile = testProfile();
    await expect(runBatch({ profile, source: '/nonexistent', runDate: '2026-13-01' })).rejects.toMatchObject({
      code: 'USAGE',
      message: badDate('2026-13-01'),
    });
    await expect(
      executeSparkBatch({
        profile,
        projectRoot: '/nonexistent',
        cacheDir: '/nonexistent',
        runDate: '2026-1-1',
      }),
    ).rejects.toMatchObject({ code: 'USAGE', message: badDate('2026-1-1') });
  });
});
