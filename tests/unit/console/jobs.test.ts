import { describe, expect, it, vi } from 'vitest';
import { Jobs, type Job } from '../../../src/console/actions.ts';
import { HttpProblem } from '../../../src/console/http-rules.ts';
import { testProfile } from '../../helpers/profile.ts';

/** A job body the test finishes by hand. */
function held() {
  let release: (message: string) => void = () => {};
  const body = (job: Job, count: number) => {
    job.progress = { step: 'posts', done: 2, total: count };
    return new Promise<string>((resolve) => (release = resolve));
  };
  return { body, release: (m: string) => release(m) };
}

describe('Jobs: one job at a time', () => {
  it('refuses a second start with 409 BUSY and its reason while one runs, then accepts a new one', async () => {
    const first = held();
    const batch = vi.fn(async () => 'batch ran');
    const jobs = new Jobs(testProfile(), { emulate: first.body, batch });

    const job = jobs.start('emulate', 5);
    expect(job.state).toBe('running');
    for (const [kind, count] of [
      ['batch', undefined],
      ['emulate', 3],
    ] as const) {
      let refused: unknown;
      try {
        jobs.start(kind, count);
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(HttpProblem);
      expect((refused as HttpProblem).status).toBe(409);
      expect((refused as HttpProblem).code).toBe('BUSY');
      expect((refused as HttpProblem).message).toBe(
        'A emulate job is still running (2 of 5); wait for it to finish.',
      );
    }
    expect(batch).not.toHaveBeenCalled();
    expect(jobs.current).toBe(job);

    first.release('5 posts, 15 records acknowledged');
    await vi.waitFor(() => expect(job.state).toBe('done'), { timeout: 2000, interval: 5 });
    expect(job.message).toBe('5 posts, 15 records acknowledged');

    const next = jobs.start('batch');
    expect(next.kind).toBe('batch');
    expect(next.id).not.toBe(job.id);
    await vi.waitFor(() => expect(next.state).toBe('done'), { timeout: 2000, interval: 5 });
    expect(next.message).toBe('batch ran');
    expect(batch).toHaveBeenCalledTimes(1);
    await jobs.close();
  });

  it('accepts a new job after one failed', async () => {
    const jobs = new Jobs(testProfile(), {
      batch: async () => {
        throw new Error('no objects');
      },
    });
    const failed = jobs.start('batch');
    await vi.waitFor(() => expect(failed.state).toBe('failed'), { timeout: 2000, interval: 5 });
    expect(failed.message).toBe('no objects');
    expect(jobs.start('batch').state).toBe('running');
    await jobs.close();
  });
});
