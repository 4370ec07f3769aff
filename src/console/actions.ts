import { randomUUID } from 'node:crypto';
import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { runBatch } from '../batch/index.ts';
import { failureHint, resolveTarget, runEmulator } from '../emulator/index.ts';
import { startLedgerRun } from '../ledger/index.ts';
import { log } from '../log.ts';
import { HttpProblem } from './http-rules.ts';

/** A job the console's buttons start: one at a time, its progress pushed with the figures. */
export interface Job {
  id: string;
  kind: 'emulate' | 'batch';
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  /** posts sent of posts asked (emulate); objects of the current step (batch). */
  progress: { step: string; done: number; total: number };
  /** What came of it (done) or why it failed. */
  message: string | null;
}

/** Most posts one button press may emulate. */
export const MAX_EMULATE = 100_000;

/**
 * Runs `pinpipe emulate -n N` (through the profile's API Gateway invoke URL, recorded in the
 * emulator's ledger like the command) or `pinpipe batch` in the console's process.
 */
export class Jobs {
  current: Job | null = null;
  private readonly ctl = new AbortController();
  private running: Promise<void> | undefined;

  /** The work behind each kind of job (the emulator and the batch unless given, e.g. by tests). */
  private readonly work: Record<Job['kind'], (job: Job, count: number) => Promise<string>>;

  constructor(
    private readonly profile: Profile,
    work: Partial<Record<Job['kind'], (job: Job, count: number) => Promise<string>>> = {},
  ) {
    this.work = {
      emulate: work.emulate ?? ((job, count) => this.emulate(job, count)),
      batch: work.batch ?? ((job) => this.batch(job)),
    };
  }

  start(kind: Job['kind'], count?: number): Job {
    if (this.current?.state === 'running') {
      throw new HttpProblem(
        409,
        'BUSY',
        `A ${this.current.kind} job is still running (${this.current.progress.done} of ${this.current.progress.total}); wait for it to finish.`,
      );
    }
    const job: Job = {
      id: randomUUID(),
      kind,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      progress: {
        step: kind === 'emulate' ? 'posts' : 'starting',
        done: 0,
        total: kind === 'emulate' ? count! : 0,
      },
      message: null,
    };
    this.current = job;
    this.running = this.work[kind](job, count ?? 0)
      .then(
        (message) => {
          job.state = 'done';
          job.message = message;
        },
        (err: unknown) => {
          job.state = 'failed';
          job.message = describeError(err);
        },
      )
      .finally(() => {
        job.finishedAt = new Date().toISOString();
      });
    return job;
  }

  private async emulate(job: Job, count: number): Promise<string> {
    const target = await resolveTarget(this.profile, {});
    const ledger = startLedgerRun(this.profile, target.url);
    const summary = await runEmulator({
      profile: this.profile,
      url: target.url,
      count,
      signal: this.ctl.signal,
      maxConsecutiveFailures: 3,
      retry: { retries: 1 },
      onProgress: (p) => {
        ledger.progress(p);
        job.progress = { step: 'posts', done: p.postsSent, total: count };
      },
    });
    ledger.finish(summary);
    job.progress = { step: 'posts', done: summary.posts, total: count };
    const r = summary.records;
    if (r.failed > 0) {
      const hint = failureHint(summary, target.kind, this.profile.proxy.url);
      throw new Error(`${r.acknowledged} records acknowledged, ${r.failed} failed. ${hint}`);
    }
    return `${summary.posts} posts, ${r.acknowledged} records acknowledged`;
  }

  private async batch(job: Job): Promise<string> {
    const s = await runBatch({
      profile: this.profile,
      signal: this.ctl.signal,
      logger: log().child({ job: 'console batch' }),
      onProgress: (p) => {
        job.progress = { step: p.step, done: p.done, total: p.total };
      },
    });
    return `run ${s.runDate}: clean rows pin ${s.rows.pin}, geo ${s.rows.geo}, user ${s.rows.user}; ${s.quarantined.total} lines quarantined`;
  }

  /** Stops a running job (the console is closing) and waits for it. */
  async close(): Promise<void> {
    this.ctl.abort();
    await this.running?.catch(() => undefined);
  }
}
