import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { Verifier, type VerifyReport } from '../verify/index.ts';

/**
 * The reconciliation lists the bucket (and reads only new or rewritten objects): recomputed at most
 * this often, so a record lost or written around the proxy shows within seconds.
 */
export const VERDICT_MS = 2000;

export type Verdict =
  | { state: 'pending' }
  | { state: 'unavailable'; reason: string; at: string }
  | {
      /** ok: every record accounted for; inflight: nothing lost or foreign, some on their way. */
      state: 'ok' | 'inflight' | 'mismatch';
      at: string;
      topics: Array<{ topic: string; ok: boolean; problems: string[]; inFlight: string[] }>;
    };

/** The verdict of one reconciliation. */
export function verdictOf(r: VerifyReport, at: Date): Verdict {
  return {
    state: !r.ok ? 'mismatch' : r.inFlight ? 'inflight' : 'ok',
    at: at.toISOString(),
    topics: r.topics.map((t) => ({ topic: t.topic, ok: t.ok, problems: t.problems, inFlight: t.inFlight })),
  };
}

/**
 * pinpipe verify's verdict, recomputed in the background at most every `verdictMs` (one run at a
 * time) on one Verifier, which remembers the stored objects between runs: a refresh reads only new
 * or rewritten ones.
 */
export class VerdictKeeper {
  private readonly verifier: Verifier;
  private now: Verdict = { state: 'pending' };
  private startedAt = 0;
  private running: Promise<void> | undefined;

  constructor(
    profile: Profile,
    private readonly verdictMs = VERDICT_MS,
    /** Told of each verdict as soon as it is reached. */
    private readonly onVerdict: (v: Verdict) => void = () => {},
  ) {
    this.verifier = new Verifier(profile);
  }

  /** The last verdict reached (pending before the first). */
  get current(): Verdict {
    return this.now;
  }

  /** Starts a reconciliation in the background when the last one is older than verdictMs. */
  refresh(): void {
    if (this.running || Date.now() - this.startedAt < this.verdictMs) return;
    // counted from the start of a run: a verdict starts every verdictMs while a page is open
    this.startedAt = Date.now();
    this.running = this.verifier
      .run()
      .then(
        (r) => {
          this.now = verdictOf(r, new Date());
        },
        (err: unknown) => {
          this.now = { state: 'unavailable', reason: describeError(err), at: new Date().toISOString() };
        },
      )
      .finally(() => {
        this.running = undefined;
        this.onVerdict(this.now);
      });
  }

  /** The verdict now, waiting for one to finish (tests and the first page load). */
  async verdict(): Promise<Verdict> {
    this.refresh();
    await this.running;
    return this.now;
  }

  async close(): Promise<void> {
    await this.running;
    this.verifier.close();
  }
}
