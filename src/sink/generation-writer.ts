import type { S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { KafkaConsumer } from '../clients/index.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { describePlan } from './describe-offsets.ts';
import { whileFenced } from './fence.ts';
import { reachFaultPoint, type SinkFaultPoint } from './fault-points.ts';
import { toCommitOffsets } from './offsets.ts';
import type { ResolvedSinkOptions } from './options.ts';
import { putWithRetry, renderWrite } from './s3-store.ts';
import { Rebalanced, type SinkLifecycle } from './sink-life.ts';
import type { PendingWrite, SinkState } from './sink-state.ts';

type Commit = Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }>;

export interface GenerationWriterDeps {
  o: ResolvedSinkOptions;
  s3: S3Client;
  consumer: KafkaConsumer;
  logger: Logger;
  state: SinkState;
  life: SinkLifecycle;
  /** A store failed for good (S3 gave up, bucket gone): the sink stops without committing. */
  fail: (err: unknown) => void;
  /** Told the seconds each store of closed objects took (the flush latency metric). */
  stored: (seconds: number) => void;
}

/**
 * Stores a generation's writes and commits its offsets, both under the generation's fence: stores
 * abort and commits are not sent (counted as skipped) once the group begins to rebalance.
 */
export class GenerationWriter {
  /** Commits sent and not answered yet: a revoke empties them, so the client cannot resend them. */
  private readonly commitsInFlight = new Set<Commit>();

  constructor(private readonly d: GenerationWriterDeps) {}

  /** The generation ended: commits the client may resend after rejoining go out empty. */
  emptyCommitsInFlight(): void {
    for (const commit of this.commitsInFlight) commit.length = 0;
  }

  /**
   * Stores writes (objects and rejected records) in parallel; all must succeed before a commit. The
   * generation's fence aborts the uploads when the group begins to rebalance (rejecting with
   * Rebalanced), and the upload deadline rejects with SINK_UPLOAD_FAILED.
   */
  private async store(writes: PendingWrite[], generation: number): Promise<void> {
    if (writes.length === 0) return;
    const { o, state } = this.d;
    // armed between objects, one upload at a time: the kill lands with some of them stored, not all
    const limit = pLimit(o.faultPoint === 'between-objects' ? 1 : o.uploadConcurrency);
    let stored = 0;
    const onRetry = () => {
      state.counters.uploadRetries++;
    };
    const started = performance.now();
    await whileFenced(
      (signal) =>
        Promise.all(
          writes.map((w) =>
            limit(async () => {
              signal.throwIfAborted();
              const { key, body } = renderWrite(o.layout, w);
              await putWithRetry(this.d.s3, o.bucket, key, body, {
                retry: o.uploadRetry,
                logger: this.d.logger,
                onRetry,
                signal,
              });
              state.markStored(w, Buffer.byteLength(body));
              if (++stored < writes.length)
                this.fault('between-objects', `${stored} of ${writes.length} writes stored (${key})`);
            }),
          ),
        ),
      this.d.life.fenceOf(generation),
    );
    this.d.stored((performance.now() - started) / 1000);
  }

  /**
   * store() for `what`: 'stored', the Rebalanced that interrupted it (its commit then counted as
   * skipped), or 'failed' (the sink failed with the error).
   */
  async storeFenced(
    writes: PendingWrite[],
    generation: number,
    what: string,
    upTo: () => string,
  ): Promise<'stored' | 'failed' | Rebalanced> {
    try {
      await this.store(writes, generation);
      return 'stored';
    } catch (err) {
      if (!(err instanceof Rebalanced)) {
        this.d.fail(err);
        return 'failed';
      }
      if (writes.length > 0) {
        this.fault('during-revoke', `${what} (${upTo()}) interrupted by a rebalance`);
        this.skipped(what, upTo(), err);
      }
      return err;
    }
  }

  /** Tests only: SIGKILL here when this is the armed fault point (src/sink/fault-points.ts). */
  fault(at: SinkFaultPoint, detail: string): void {
    reachFaultPoint(this.d.o.faultPoint, at, detail);
  }

  /**
   * Commits `plan` for `generation`, unless it is over (then logged and counted). The broker refuses
   * a commit of an old generation; one the client resends after rejoining goes out empty
   * (emptyCommitsInFlight), and counts as skipped.
   */
  async commit(plan: Map<string, number>, generation: number, what: string): Promise<boolean> {
    if (plan.size === 0) return true;
    const { life, consumer } = this.d;
    if (!life.owns(generation) || consumer.generationId !== generation) {
      this.skipped(what, describePlan(plan));
      return false;
    }
    const offsets: Commit = toCommitOffsets(plan);
    this.commitsInFlight.add(offsets);
    try {
      await consumer.commit({ offsets });
    } catch (err) {
      if (life.owns(generation)) throw err;
      this.skipped(what, describePlan(plan), err);
      return false;
    } finally {
      this.commitsInFlight.delete(offsets);
    }
    if (offsets.length === 0 || !life.owns(generation)) {
      this.skipped(what, describePlan(plan));
      return false;
    }
    this.d.state.markCommitted(plan);
    return true;
  }

  /**
   * A commit not sent after a rebalance: logged and counted, never recorded as committed. The
   * records are re-delivered from the last commit and rewrite the same keys.
   */
  skipped(what: string, upTo: string, err?: unknown): void {
    this.d.state.counters.commitsSkipped++;
    this.d.logger.warn(
      `commit after ${what} skipped: the group rebalanced${err === undefined ? '' : ` (${describeError(err)})`}; ` +
        `${upTo} stays uncommitted, Kafka re-delivers those records and the same keys are rewritten`,
    );
  }
}
