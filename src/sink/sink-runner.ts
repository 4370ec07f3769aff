import type { S3Client } from '@aws-sdk/client-s3';
import type { ConsumerGroupJoinPayload } from '@platformatic/kafka';
import pLimit from 'p-limit';
import { isKafkaError, kafkaProtocolError, type KafkaAdmin, type KafkaConsumer } from '../clients/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { describePlan, describeSlice, describeWrites } from './describe-offsets.ts';
import {
  openGenerationStream,
  sliceOf,
  takeSlice,
  type SinkMessage,
  type SinkStream,
} from './generation-stream.ts';
import { GenerationWriter } from './generation-writer.ts';
import { followGroup } from './group-events.ts';
import { GroupWatch } from './group-watch.ts';
import { parseTpKey, tpKey, type TopicPartition } from './offsets.ts';
import type { ResolvedSinkOptions } from './options.ts';
import { SINK_DEFAULTS } from './options.ts';
import { Rebalanced, SinkLifecycle, type StopReason } from './sink-life.ts';
import { SinkState, type PendingWrite } from './sink-state.ts';

export type { StopReason } from './sink-life.ts';

/** How often the high watermarks (lag) are read while running. */
const HIGH_WATERMARK_MS = 1000;
/** Least time between two joins asked for by the sink after the client's own rejoin gave up. */
const REJOIN_MS = 2000;

/** The stream that reads the partitions of one generation, from the positions the sink holds. */
interface Reader {
  generation: number;
  stream: SinkStream;
  /** Wakes the pump (records readable, the stream ended or was closed). */
  notify: (() => void) | undefined;
}

/**
 * One running sink: the group's generations (SinkLifecycle) → a stream per generation → SinkState →
 * PutObject → commit. A single lock serialises slices, wall-clock rotation and the final flush, so a
 * partition's objects are always stored before its offset is committed, and a generation's stores and
 * commits stop the moment the group begins to rebalance (exactly once: docs/sink.md).
 */
export class SinkRunner {
  readonly state: SinkState;
  readonly life = new SinkLifecycle();
  private readonly lock = pLimit(1);
  private readonly slice: number;
  private readonly writer: GenerationWriter;
  private readonly group: GroupWatch;
  private reader: Reader | undefined;
  /** Closes of streams still under way (see settled()). */
  private readonly closing = new Set<Promise<unknown>>();
  private joinsInFlight = 0;
  private lastRejoin = 0;
  private dropped = 0;
  private wake: (() => void) | undefined;
  private unfollow: (() => void) | undefined;
  /** Called with the seconds each store of closed objects took (the flush latency metric). */
  onStored: ((seconds: number) => void) | undefined;

  constructor(
    private readonly o: ResolvedSinkOptions,
    private readonly topics: string[],
    private readonly consumer: KafkaConsumer,
    admin: KafkaAdmin,
    s3: S3Client,
    private readonly logger: Logger,
  ) {
    this.state = new SinkState(o);
    this.slice = sliceOf(o.flushSize);
    const { state, life } = this;
    const fail = (err: unknown) => this.fail(err);
    this.writer = new GenerationWriter({
      o,
      s3,
      consumer,
      logger,
      state,
      life,
      fail,
      stored: (seconds) => this.onStored?.(seconds),
    });
    this.group = new GroupWatch({
      admin,
      topics,
      groupId: o.groupId,
      logger,
      state,
      life,
      lock: this.lock,
      fail,
    });
  }

  /**
   * Follows the consumer's group: a join (or rejoin) that BEGINS ends the current generation at once
   * (the client's group tracing channel, before its JoinGroup request is sent), the join event starts
   * the next one with its assignment.
   */
  attach(): void {
    this.unfollow ??= followGroup(this.consumer, {
      joinBegan: () => {
        this.joinsInFlight++;
        this.endGeneration('the group began to rebalance');
      },
      groupRequestAnswered: (ownJoin) => {
        if (ownJoin) this.joinsInFlight = Math.max(0, this.joinsInFlight - 1);
        this.wake?.();
      },
      joined: (payload) => this.onJoin(payload),
      left: (err) =>
        this.logger.warn(`sink: the Kafka consumer left its group (${describeError(err)}); joining again`),
    });
  }

  detach(): void {
    this.unfollow?.();
    this.unfollow = undefined;
    this.closeReader();
  }

  /** A new generation: its assignment replaces the last one (whose buffers were dropped uncommitted). */
  private onJoin(payload: ConsumerGroupJoinPayload): void {
    this.endGeneration('a new generation began');
    const generation = payload.generationId ?? this.consumer.generationId;
    if (!this.life.join(generation)) return;
    if (this.life.rejoined) this.state.counters.rebalances++;
    const assignment: TopicPartition[] = [];
    for (const { topic, partitions } of payload.assignments ?? []) {
      if (!this.topics.includes(topic)) continue;
      for (const partition of partitions) assignment.push({ topic, partition });
    }
    this.state.reset(assignment);
    this.logger.info(
      `joined group ${this.o.groupId}: ${assignment.length} partition(s) assigned` +
        (this.dropped > 0
          ? `, ${this.dropped} buffered record(s) dropped uncommitted (re-read from Kafka)`
          : ''),
    );
    this.dropped = 0;
    this.wake?.();
  }

  /**
   * The current generation is over: its fence aborts any store, its unanswered commits are emptied
   * (the client resends a commit after rejoining, which must not carry offsets of partitions that may
   * be another member's now), its reader closes and its buffers are dropped (Kafka re-delivers).
   */
  private endGeneration(why: string): void {
    const generation = this.life.generation;
    if (!this.life.revoke()) return;
    this.writer.emptyCommitsInFlight();
    this.closeReader();
    this.dropped += this.state.buffered();
    this.state.reset([]);
    this.logger.debug(`sink: generation ${generation} of group ${this.o.groupId} ended (${why})`);
  }

  /** A fatal error (S3 gave up, bucket gone): stop without committing. */
  fail(err: unknown): void {
    this.life.fail(err);
    this.wake?.();
  }

  /** Opens the reader of the current generation at the positions the sink holds. */
  private async openReader(): Promise<void> {
    const generation = this.life.generation;
    if (generation === undefined || this.reader || !this.life.reads(generation)) return;
    if (!this.life.seeded(generation) || this.state.assigned.size === 0) return;
    const offsets = [...this.state.assigned].map((key) => ({
      ...parseTpKey(key),
      offset: BigInt(this.state.position(key) ?? 0),
    }));
    const stream = await openGenerationStream(this.consumer, this.topics, offsets);
    if (this.reader || !this.life.reads(generation)) {
      this.closeStream(stream);
      return;
    }
    const reader: Reader = { generation, stream, notify: undefined };
    const notify = () => reader.notify?.();
    stream.on('readable', notify);
    stream.on('end', notify);
    stream.on('error', (err) => {
      if (this.reader === reader)
        this.logger.warn(
          `sink: reading from Kafka failed (${describeError(err)}); reading on from the sink's position`,
        );
    });
    stream.on('close', () => {
      if (this.reader === reader) this.reader = undefined;
      notify();
      this.wake?.();
    });
    this.reader = reader;
    void this.pump(reader).catch((err: unknown) => this.fail(err));
  }

  private closeReader(): void {
    const reader = this.reader;
    if (!reader) return;
    this.reader = undefined;
    reader.notify?.();
    this.closeStream(reader.stream);
  }

  /** Closes a stream in the background; `settled()` waits for every such close. */
  private closeStream(stream: SinkStream): void {
    const closing = stream.close().catch(() => undefined);
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  /**
   * Resolves when every stream this runner closed has closed, or after `deadlineMs`: the consumer
   * leaves its group only without streams, so it is closed after this (else it fails with "Cannot
   * leave group while consuming messages"); a close that does not end in time is left to the
   * consumer's own forced close.
   */
  async settled(deadlineMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        resolve();
      }, deadlineMs);
    });
    try {
      while (this.closing.size > 0 && !expired)
        await Promise.race([Promise.all([...this.closing]), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Takes what the stream holds, a slice at a time, until the reader is closed or replaced. */
  private async pump(reader: Reader): Promise<void> {
    const { stream } = reader;
    while (this.reader === reader) {
      const slice = takeSlice(stream, this.slice);
      if (slice.length > 0) {
        await this.lock(() => this.ingest(reader, slice));
        // a drain or catch-up may be done now: judged at once, not at the next tick
        this.wake?.();
        continue;
      }
      if (stream.destroyed || stream.readableEnded) {
        if (this.reader === reader) this.reader = undefined;
        this.wake?.();
        return;
      }
      await new Promise<void>((resolve) => (reader.notify = resolve));
      reader.notify = undefined;
    }
  }

  /** One slice: buffered, the objects it closes stored, then committed (all within the generation). */
  private async ingest(reader: Reader, slice: SinkMessage[]): Promise<void> {
    const { generation, stream } = reader;
    // revoked, stopping or failed meanwhile: these records stay uncommitted and are read again
    if (this.reader !== reader || !this.life.reads(generation)) return;
    const byKey = new Map<string, SinkMessage[]>();
    for (const m of slice) {
      const key = tpKey(m.topic, m.partition);
      const list = byKey.get(key);
      if (list) list.push(m);
      else byKey.set(key, [m]);
    }
    const now = Date.now();
    const writes: PendingWrite[] = [];
    for (const [key, messages] of byKey) {
      if (!this.state.assigned.has(key)) continue;
      writes.push(...this.state.ingest(messages[0]!.topic, messages[0]!.partition, messages, now));
    }
    // When the stream holds nothing more, its fetch positions are the sink's (past control records).
    const drainedStream = stream.readableLength === 0;
    if (drainedStream) {
      for (const key of this.state.assigned) {
        const next = stream.offsetsToFetch.get(key);
        if (next === undefined) continue;
        const { topic, partition } = parseTpKey(key);
        writes.push(...this.state.advance(topic, partition, Number(next)));
      }
    }
    const upTo = () => describeSlice(byKey);
    if ((await this.writer.storeFenced(writes, generation, 'a batch', upTo)) !== 'stored') return;
    if (!this.life.owns(generation)) {
      this.writer.skipped('a batch', upTo());
      return;
    }
    if (writes.length > 0)
      this.writer.fault('after-upload-before-commit', `${writes.length} write(s) of ${upTo()} stored`);
    const plan = this.state.commitPlan(byKey.keys());
    let committed: boolean;
    try {
      committed = await this.writer.commit(plan, generation, 'a batch');
    } catch (err) {
      if (!isKafkaError(err)) throw err;
      // stored, not committed: harmless (a replay rewrites the same keys); the next commit carries it
      this.logger.warn(`commit after a batch failed (${describeError(err)}); the next commit carries it`);
      return;
    }
    if (committed && plan.size > 0 && drainedStream)
      this.writer.fault('after-commit-before-fetch', `committed ${describePlan(plan)}`);
  }

  /** Outside a slice (timer, drain, shutdown): close what `pick` returns, store, commit. */
  private async flushOutside(pick: () => PendingWrite[], stopAfter = false): Promise<void> {
    await this.lock(async () => {
      if (this.life.fatal) return;
      const generation = this.life.generation;
      const what = stopAfter ? 'the final flush' : 'a scheduled rotation';
      if (generation === undefined) {
        if (stopAfter) throw new Rebalanced('the group is rebalancing: no generation to flush for');
        return;
      }
      const writes = pick();
      const stored = await this.writer.storeFenced(writes, generation, what, () => describeWrites(writes));
      if (stored instanceof Rebalanced && stopAfter) throw stored;
      if (stored !== 'stored') return;
      if (writes.length > 0)
        this.writer.fault('after-upload-before-commit', `${what}: ${describeWrites(writes)} stored`);
      const plan = this.state.commitPlan();
      let committed = false;
      try {
        committed = await this.writer.commit(plan, generation, what);
      } catch (err) {
        // Stored but not committed: harmless (a replay rewrites the same keys). The final flush
        // reports it to finish(); a scheduled one leaves it to the next commit.
        if (stopAfter || !isKafkaError(err)) throw err;
        this.logger.warn(`commit after a scheduled rotation failed: ${describeError(err)}`);
      }
      if (stopAfter && !committed) throw new Rebalanced('the group rebalanced before the final commit');
    });
  }

  /**
   * Runs until drained, aborted or failed; then flushes and commits (unless failed). When
   * `catchUp.signal` aborts, it reads on up to the high watermarks of that moment and then stops as
   * on `signal` (after `catchUp.timeoutMs` at the latest).
   */
  async run(
    signal: AbortSignal | undefined,
    catchUp?: { signal: AbortSignal; timeoutMs: number },
  ): Promise<StopReason> {
    let lastProgress = Date.now();
    let lastHighWatermarks = 0;
    let catchUpUntil: number | undefined;
    const onAbort = () => this.wake?.();
    const onCatchUp = () => {
      catchUpUntil = Date.now() + catchUp!.timeoutMs;
      this.wake?.();
    };
    signal?.addEventListener('abort', onAbort);
    if (catchUp?.signal.aborted) onCatchUp();
    else catchUp?.signal.addEventListener('abort', onCatchUp, { once: true });
    try {
      for (;;) {
        this.throwIfFailed();
        if (signal?.aborted) return (await this.finish('signal'))!;
        if (catchUpUntil !== undefined) {
          if (await this.group.drained(false).catch(() => false)) return (await this.finish('signal'))!;
          if (Date.now() >= catchUpUntil) {
            this.logger.warn(
              `sink: not caught up with Kafka ${catchUp!.timeoutMs} ms after being asked to stop; stopping with ` +
                `${this.state.lag()} record(s) left in Kafka (the next sink run writes them)`,
            );
            return (await this.finish('signal'))!;
          }
        }
        this.rejoinIfOut();
        await this.group
          .seedIfNeeded()
          .catch((err: unknown) =>
            this.logger.debug(`could not read the group's offsets yet: ${describeError(err)}`),
          );
        await this.openReader().catch((err: unknown) =>
          this.logger.debug(`could not start reading yet: ${describeError(err)}`),
        );
        if (this.o.drain) {
          await this.group.checkAlone().catch((err: unknown) => {
            if (kafkaProtocolError(err, 'GROUP_AUTHORIZATION_FAILED')) {
              this.fail(
                new PinpipeError(
                  'KAFKA_AUTH_FAILED',
                  `--drain could not read the members of group ${this.o.groupId}: ${describeError(err)}. ` +
                    'Grant DescribeGroup on the group (pinpipe doctor shows the policy).',
                  { cause: err },
                ),
              );
            } else this.logger.debug(`could not describe the group yet: ${describeError(err)}`);
          });
          this.throwIfFailed();
        }
        if (this.o.rotateScheduleIntervalMs > 0) await this.flushOutside(() => this.state.due(Date.now()));
        if (this.o.drain && (await this.group.drained(true).catch(() => false))) {
          const done = await this.finish('drain');
          if (done) return done;
        }
        if (Date.now() - lastHighWatermarks >= HIGH_WATERMARK_MS) {
          lastHighWatermarks = Date.now();
          await this.group.refreshHighWatermarks();
        }
        if (this.o.progressIntervalMs > 0 && Date.now() - lastProgress >= this.o.progressIntervalMs) {
          lastProgress = Date.now();
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
      catchUp?.signal.removeEventListener('abort', onCatchUp);
    }
  }

  private throwIfFailed(): void {
    const fatal = this.life.fatal;
    if (fatal) throw fatal.error;
  }

  /**
   * Final flush and commit. If the commit fails because the group rebalanced meanwhile, the
   * objects are stored but not committed: --drain goes on (Kafka re-delivers from the committed
   * offsets, the same keys are rewritten, and it drains again); a signal stops anyway (the next
   * run rewrites the same keys).
   */
  private async finish(reason: StopReason): Promise<StopReason | undefined> {
    const generation = this.life.stop(reason);
    this.closeReader();
    if (generation !== undefined) {
      try {
        await this.flushOutside(() => this.state.closeAll(reason === 'drain' ? 'drain' : 'shutdown'), true);
      } catch (err) {
        if (!(err instanceof Rebalanced) && !isKafkaError(err)) throw err;
        this.logger.warn(
          `final flush or commit interrupted (${describeError(err)}); offsets not committed: ` +
            (reason === 'drain'
              ? 'draining again from the last commit'
              : 'the next run rewrites the same keys'),
        );
        if (reason === 'drain') {
          this.life.resume();
          return undefined;
        }
      }
    }
    this.throwIfFailed();
    this.life.stopped(reason);
    return reason;
  }

  /** The client's own rejoin gave up (Kafka unreachable for a while): ask it to join again. */
  private rejoinIfOut(): void {
    if (this.life.state.phase !== 'joining' || this.joinsInFlight > 0 || this.consumer.isActive()) return;
    if (Date.now() - this.lastRejoin < REJOIN_MS) return;
    this.lastRejoin = Date.now();
    this.consumer.joinGroup({}).catch((err: unknown) => {
      this.logger.warn(`sink: could not join group ${this.o.groupId} (${describeError(err)}); trying again`);
    });
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

export function asPinpipeError(err: unknown): PinpipeError {
  if (err instanceof PinpipeError) return err;
  return new PinpipeError('INTERNAL', `The sink stopped: ${describeError(err)}`, { cause: err });
}
