import type { S3Client } from '@aws-sdk/client-s3';
import type { Admin, Consumer, ConsumerGroupJoinEvent, EachBatchPayload } from 'kafkajs';
import pLimit from 'p-limit';
import { PinpipeError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { caughtUp, parseTpKey, toKafkaCommit, tpKey, type TopicPartition } from './offsets.ts';
import type { ResolvedSinkOptions } from './options.ts';
import { SINK_DEFAULTS } from './options.ts';
import { putWithRetry, renderWrite } from './s3-store.ts';
import { SinkState, type PendingWrite } from './sink-state.ts';

/** Messages stored and committed at a time within one fetched batch. */
const SLICE = 250;

type Commit = (plan: Map<string, number>) => Promise<void>;
export type StopReason = 'drain' | 'signal';

/**
 * One running sink: kafkajs eachBatch → SinkState → PutObject → commit. A single lock
 * serialises batches, wall-clock rotation and the final flush, so a partition's objects are
 * always stored before its offset is committed (exactly once: docs/sink.md).
 */
export class SinkRunner {
  readonly state: SinkState;
  private readonly lock = pLimit(1);
  private stopping = false;
  /** Set when draining is done or a signal came: a running batch stops at its next slice. */
  private stopRequested = false;
  private fatal: unknown;
  private targets: Map<string, number> | undefined;
  private seededGeneration = 0;
  private wake: (() => void) | undefined;

  constructor(
    private readonly o: ResolvedSinkOptions,
    private readonly topics: string[],
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly s3: S3Client,
    private readonly logger: Logger,
  ) {
    this.state = new SinkState(o);
  }

  /** GROUP_JOIN: a new generation; every buffer is dropped uncommitted (Kafka re-delivers). */
  onJoin = (event: ConsumerGroupJoinEvent): void => {
    const assignment: TopicPartition[] = [];
    for (const [topic, partitions] of Object.entries(event.payload.memberAssignment)) {
      for (const partition of partitions) assignment.push({ topic, partition });
    }
    const dropped = this.state.buffered();
    if (this.state.generation > 0) this.state.counters.rebalances++;
    this.state.reset(assignment);
    this.logger.info(
      `joined group ${this.o.groupId}: ${assignment.length} partition(s) assigned` +
        (dropped > 0 ? `, ${dropped} buffered record(s) dropped uncommitted (re-read from Kafka)` : ''),
    );
  };

  /** A fatal error (S3 gave up, bucket gone, kafkajs crash without restart): stop without committing. */
  fail(err: unknown): void {
    this.fatal ??= err;
    this.wake?.();
  }

  eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    const key = tpKey(topic, partition);
    await this.lock(async () => {
      if (this.stopping || this.fatal !== undefined || !payload.isRunning() || payload.isStale()) return;
      if (!this.state.assigned.has(key)) return;
      const generation = this.state.generation;
      this.state.highWatermarks.set(key, Number(batch.highWatermark));
      const messages = batch.messages;
      // A fetch can hold thousands of records (thousands of PutObjects at flush.size 1): store and
      // commit slice by slice, heartbeating in between, so the group never times the member out.
      for (let i = 0; i < messages.length; i += SLICE) {
        if (this.stopRequested) return;
        const slice = messages.slice(i, i + SLICE);
        const last = i + SLICE >= messages.length;
        const writes = this.state.ingest(topic, partition, slice, Date.now());
        if (last) writes.push(...this.state.advance(topic, partition, Number(batch.lastOffset()) + 1));
        try {
          await this.store(writes, heartbeat);
        } catch (err) {
          if (isKafkaError(err)) throw err;
          this.fail(err);
          return;
        }
        if (generation !== this.state.generation) return;
        resolveOffset(last ? batch.lastOffset() : slice[slice.length - 1]!.offset);
        await this.commit(this.state.commitPlan([key]), generation, async (plan) => {
          await commitOffsetsIfNecessary({ topics: toKafkaCommit(plan) });
        });
        await heartbeat();
      }
    });
  };

  /** Stores writes (objects and rejected records) in parallel; all must succeed before a commit. */
  private async store(writes: PendingWrite[], heartbeat?: () => Promise<void>): Promise<void> {
    if (writes.length === 0) return;
    const limit = pLimit(this.o.uploadConcurrency);
    const onRetry = async () => {
      this.state.counters.uploadRetries++;
      await heartbeat?.();
    };
    await Promise.all(
      writes.map((w) =>
        limit(async () => {
          const { key, body } = renderWrite(this.o.layout, w);
          await putWithRetry(this.s3, this.o.bucket, key, body, {
            retry: this.o.uploadRetry,
            logger: this.logger,
            onRetry,
          });
          this.state.markStored(w, Buffer.byteLength(body));
          await heartbeat?.(); // kafkajs sends one only when the heartbeat interval has passed
        }),
      ),
    );
  }

  private async commit(plan: Map<string, number>, generation: number, send: Commit): Promise<void> {
    if (plan.size === 0 || generation !== this.state.generation) return;
    await send(plan);
    this.state.markCommitted(plan);
  }

  private viaConsumer: Commit = async (plan) => {
    const list = [...plan].map(([k, offset]) => ({ ...parseTpKey(k), offset: String(offset) }));
    await this.consumer.commitOffsets(list);
  };

  /** Outside eachBatch (timer, drain, shutdown): close what `pick` returns, store, commit. */
  private async flushOutside(pick: () => PendingWrite[], stopAfter = false): Promise<void> {
    await this.lock(async () => {
      if (this.fatal !== undefined) return;
      // After the final flush no batch may buffer more (it would be dropped uncommitted anyway).
      if (stopAfter) this.stopping = true;
      const generation = this.state.generation;
      const writes = pick();
      try {
        await this.store(writes);
      } catch (err) {
        this.fail(err);
        return;
      }
      try {
        await this.commit(this.state.commitPlan(), generation, this.viaConsumer);
      } catch (err) {
        // Stored but not committed: harmless (a replay rewrites the same keys). The final flush
        // reports it to finish(); a scheduled one waits for the rejoin that follows.
        if (stopAfter || !isKafkaError(err)) throw err;
        this.logger.warn(`commit after a scheduled rotation failed: ${describeError(err)}`);
      }
    });
  }

  /** Runs until drained, aborted or failed; then flushes and commits (unless failed). */
  async run(signal: AbortSignal | undefined): Promise<StopReason> {
    let lastProgress = Date.now();
    const onAbort = () => {
      this.stopRequested = true;
      this.wake?.();
    };
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (this.fatal !== undefined) throw this.fatal;
        if (signal?.aborted) return (await this.finish('signal'))!;
        await this.seedIfNeeded().catch((err: unknown) =>
          this.logger.debug(`could not read the group's offsets yet: ${describeError(err)}`),
        );
        if (this.o.rotateScheduleIntervalMs > 0) await this.flushOutside(() => this.state.due(Date.now()));
        if (this.o.drain && (await this.drained().catch(() => false))) {
          const done = await this.finish('drain');
          if (done) return done;
        }
        if (this.o.progressIntervalMs > 0 && Date.now() - lastProgress >= this.o.progressIntervalMs) {
          lastProgress = Date.now();
          await this.refreshHighWatermarks();
          this.logger.info(this.progressLine());
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, SINK_DEFAULTS.tickMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Final flush and commit. If the commit fails because the group rebalanced meanwhile, the
   * objects are stored but not committed: --drain goes on (Kafka re-delivers from the committed
   * offsets, the same keys are rewritten, and it drains again); a signal stops anyway (the next
   * run rewrites the same keys).
   */
  private async finish(reason: StopReason): Promise<StopReason | undefined> {
    this.stopRequested = true;
    try {
      await this.flushOutside(() => this.state.closeAll(reason === 'drain' ? 'drain' : 'shutdown'), true);
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      this.logger.warn(
        `final commit failed (${describeError(err)}); objects are stored, offsets not committed`,
      );
      if (reason === 'drain') {
        this.stopping = false;
        this.stopRequested = false;
        return undefined;
      }
    }
    if (this.fatal !== undefined) throw this.fatal;
    return reason;
  }

  /** Once per generation: positions of assigned partitions from the group's committed offsets. */
  private async seedIfNeeded(): Promise<void> {
    const generation = this.state.generation;
    if (generation === 0 || generation === this.seededGeneration) return;
    const committed = await this.admin.fetchOffsets({ groupId: this.o.groupId, topics: this.topics });
    const low = new Map<string, number>();
    for (const topic of this.topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) {
        low.set(tpKey(topic, p.partition), Number(p.low));
        this.state.highWatermarks.set(tpKey(topic, p.partition), Number(p.high));
      }
    }
    await this.lock(async () => {
      if (generation !== this.state.generation) return;
      for (const { topic, partitions } of committed) {
        for (const p of partitions) {
          const key = tpKey(topic, p.partition);
          if (!this.state.assigned.has(key)) continue;
          const offset = Number(p.offset);
          if (offset >= 0) this.state.seed(topic, p.partition, offset, true);
          else this.state.seed(topic, p.partition, low.get(key) ?? 0, false);
        }
      }
      this.seededGeneration = generation;
    });
  }

  private async refreshHighWatermarks(): Promise<void> {
    try {
      for (const topic of this.topics) {
        for (const p of await this.admin.fetchTopicOffsets(topic)) {
          this.state.highWatermarks.set(tpKey(topic, p.partition), Number(p.high));
        }
      }
    } catch (err) {
      this.logger.debug(`could not refresh high watermarks: ${describeError(err)}`);
    }
  }

  /** --drain: true once every assigned partition reached the high watermark seen at the start. */
  private async drained(): Promise<boolean> {
    if (this.state.generation === 0 || this.seededGeneration !== this.state.generation) return false;
    if (!this.targets) {
      const targets = new Map<string, number>();
      for (const topic of this.topics) {
        for (const p of await this.admin.fetchTopicOffsets(topic))
          targets.set(tpKey(topic, p.partition), Number(p.high));
      }
      this.targets = targets;
      let remaining = 0;
      for (const key of this.state.assigned) {
        remaining += Math.max(0, (targets.get(key) ?? 0) - (this.state.position(key) ?? 0));
      }
      this.logger.info(`draining: ${remaining} record(s) to read up to the high watermark`);
    }
    return caughtUp(this.state.assigned, (k) => this.state.position(k), this.targets);
  }

  progressLine(): string {
    const c = this.state.counters;
    return (
      `sink: ${c.recordsIn} records in, ${c.objectsWritten} objects (${c.recordsWritten} records) written, ` +
      `${c.errorRecords} to errors/, ${this.state.buffered()} buffered, lag ${this.state.lag()}` +
      (c.uploadRetries > 0 ? `, ${c.uploadRetries} upload retries` : '')
    );
  }
}

function isKafkaError(err: unknown): boolean {
  return typeof (err as { name?: unknown })?.name === 'string' && (err as Error).name.startsWith('KafkaJS');
}

export function asPinpipeError(err: unknown): PinpipeError {
  if (err instanceof PinpipeError) return err;
  return new PinpipeError('INTERNAL', `The sink stopped: ${describeError(err)}`, { cause: err });
}
