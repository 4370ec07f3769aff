/**
 * The sink's life as ONE explicit state, after the `State` of Confluent's TopicPartitionWriter: which
 * consumer-group generation it reads for and whether it may still store and commit for it. Pure (no
 * I/O, no clock): the runner feeds it the group's events and asks it before every store and commit.
 *
 *   joining ──join──▶ reading ──stop──▶ stopping ──stopped──▶ stopped
 *      ▲                 │                  │
 *      └─────revoke──────┴──────revoke──────┘          any ──fail──▶ failed
 *
 * Fencing (exactly once rests on it): a generation owns its partitions from its join until the
 * next rebalance BEGINS (revoke), not until the next join. Each generation has an AbortSignal that
 * the revoke aborts, so a store running for it stops and its commit is never sent: the partitions may
 * already be another member's, which re-reads them from the last commit and rewrites the same keys.
 */

export type StopReason = 'drain' | 'signal';

/** A generation this member is in: its number and the signal aborted when it ends. */
interface Generation {
  generation: number;
  fence: AbortController;
  /** Positions were seeded from the group's committed offsets. */
  seeded: boolean;
  /** --drain: the group was found to have this member alone. */
  alone: boolean;
}

export type SinkLife =
  /** Between generations (before the first join, or a rebalance began): no partition is ours. */
  | { phase: 'joining'; last: number }
  /** Reading, storing and committing for one generation. */
  | ({ phase: 'reading' } & Generation)
  /** The final flush of one generation (drain or signal): nothing more is read. */
  | ({ phase: 'stopping'; reason: StopReason } & Generation)
  | { phase: 'stopped'; reason: StopReason }
  /** A fatal error: nothing more is stored or committed. */
  | { phase: 'failed'; error: unknown };

/** Why a generation's signal aborted: the group rebalanced (or the sink failed or stopped). */
export class Rebalanced extends Error {
  override name = 'Rebalanced';
}

export class SinkLifecycle {
  private life: SinkLife = { phase: 'joining', last: 0 };
  private joins = 0;

  get state(): Readonly<SinkLife> {
    return this.life;
  }

  /** The generation being read or flushed, if any. */
  get generation(): number | undefined {
    return this.life.phase === 'reading' || this.life.phase === 'stopping' ? this.life.generation : undefined;
  }

  /** The error that failed the sink, if it failed. */
  get fatal(): { error: unknown } | undefined {
    return this.life.phase === 'failed' ? { error: this.life.error } : undefined;
  }

  /** True once any generation was joined before the current one (a rebalance, for the counters). */
  get rejoined(): boolean {
    return this.joins > 1;
  }

  /** May store and commit for `generation`: it is current and its fence is intact. */
  owns(generation: number): boolean {
    return this.generation === generation && !this.current()!.fence.signal.aborted;
  }

  /** May read (ingest records) for `generation`. */
  reads(generation: number): boolean {
    return this.life.phase === 'reading' && this.owns(generation);
  }

  /** The signal aborted when `generation` ends (already aborted when it is not current). */
  fenceOf(generation: number): AbortSignal {
    const g = this.current();
    if (g && g.generation === generation) return g.fence.signal;
    return AbortSignal.abort(new Rebalanced(`generation ${generation} is over`));
  }

  /** A rebalance began: the current generation ends. True when one ended (its buffers are to drop). */
  revoke(): boolean {
    const g = this.current();
    if (!g) return false;
    g.fence.abort(new Rebalanced(`the group rebalanced: generation ${g.generation} ended`));
    this.life = { phase: 'joining', last: g.generation };
    return true;
  }

  /** The group assigned partitions in `generation`. False when the sink is stopped or failed. */
  join(generation: number): boolean {
    if (this.life.phase === 'stopped' || this.life.phase === 'failed') return false;
    this.revoke();
    this.joins++;
    this.life = { phase: 'reading', generation, fence: new AbortController(), seeded: false, alone: false };
    return true;
  }

  markSeeded(generation: number): void {
    const g = this.current();
    if (g && g.generation === generation) g.seeded = true;
  }

  markAlone(generation: number): void {
    const g = this.current();
    if (g && g.generation === generation) g.alone = true;
  }

  seeded(generation: number): boolean {
    const g = this.current();
    return g !== undefined && g.generation === generation && g.seeded;
  }

  alone(generation: number): boolean {
    const g = this.current();
    return g !== undefined && g.generation === generation && g.alone;
  }

  /** The final flush begins: reading stops. Returns the generation to flush for, if one is current. */
  stop(reason: StopReason): number | undefined {
    if (this.life.phase !== 'reading') return this.generation;
    const { generation, fence, seeded, alone } = this.life;
    this.life = { phase: 'stopping', reason, generation, fence, seeded, alone };
    return generation;
  }

  /** A stop did not finish (a rebalance interrupted the final flush of --drain): read on. */
  resume(): void {
    if (this.life.phase !== 'stopping') return;
    const { generation, fence, seeded, alone } = this.life;
    this.life = { phase: 'reading', generation, fence, seeded, alone };
  }

  stopped(reason: StopReason): void {
    if (this.life.phase === 'failed') return;
    this.current()?.fence.abort(new Rebalanced('the sink stopped'));
    this.life = { phase: 'stopped', reason };
  }

  /** A fatal error: the first one is kept; any store running is aborted. */
  fail(error: unknown): void {
    if (this.life.phase === 'failed') return;
    this.current()?.fence.abort(error);
    this.life = { phase: 'failed', error };
  }

  private current(): Generation | undefined {
    return this.life.phase === 'reading' || this.life.phase === 'stopping' ? this.life : undefined;
  }
}
