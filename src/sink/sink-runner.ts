import type { S3Client } from '@aws-sdk/client-s3';
import type { Admin, Consumer, ConsumerGroupJoinEvent, EachBatchPayload } from 'kafkajs';
import pLimit from 'p-limit';
import { PinpipeError, describeError } from '../errors.ts';
import { isKafkaError } from '../clients/kafka-errors.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { Logger } from '../log.ts';
import { caughtUp, drainCounts, parseTpKey, toKafkaCommit, tpKey, type TopicPartition } from './offsets.ts';
import type { ResolvedSinkOptions } from './options.ts';
import { SINK_DEFAULTS } from './options.ts';
import { putWithRetry, renderWrite } from './s3-store.ts';
import { SinkState, type PendingWrite } from './sink-state.ts';
import { reachFaultPoint, type SinkFaultPoint } from './fault-points.ts';

/** Messages stored and committed at a time within one fetched batch. */
const SLICE = 250;
/** How often a running store asks kafkajs to heartbeat (it sends one once its interval passed). */
const HEARTBEAT_TICK_MS = 500;

type Commit = (plan: Map<string, number>) => Promise<void>;

/** The group moved to another generation while a store or commit of the old one was running. */
class Rebalanced extends Error {
  override name = 'Rebalanced';
}
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
  /** --drain: the generation whose group membership was checked (the group must be ours alone). */
  private checkedGeneration = 0;
  private wake: (() => void) | undefined;
  /** The heartbeat and commit of the generation that last handed over a batch (kafkajs payload). */
  private group: { generation: number; heartbeat: () => Promise<void>; commit: Commit } | undefined;
  /** False between a kafkajs crash and the next join: consumer.commitOffsets would do nothing then. */
  private consumerUp = false;
  /**
   * A generation in which a store was interrupted by a rebalance: its buffers count objects as
   * closed that may not be in S3, so it never commits again; the join that follows re-delivers
   * from the last commit.
   */
  private interrupted = 0;
  /** Called with the seconds each store of closed objects took (the flush latency metric). */
  onStored: ((seconds: number) => void) | undefined;

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
    this.consumerUp = true;
    this.logger.info(
      `joined group ${this.o.groupId}: ${assignment.length} partition(s) assigned` +
        (dropped > 0 ? `, ${dropped} buffered record(s) dropped uncommitted (re-read from Kafka)` : ''),
    );
  };

  /** kafkajs crashed (it restarts and rejoins unless the error is fatal). */
  onCrash = (): void => {
    this.consumerUp = false;
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
      if (this.stopping || this.stopRequested || this.fatal !== undefined) {
        // Returning unresolved makes kafkajs fetch the same batch again at once: pause instead.
        payload.pause();
        return;
      }
      if (!payload.isRunning() || payload.isStale()) return;
      if (!this.state.assigned.has(key)) return;
      const generation = this.state.generation;
      const commit: Commit = async (plan) => {
        await commitOffsetsIfNecessary({ topics: toKafkaCommit(plan) });
      };
      this.group = { generation, heartbeat, commit };
      this.state.highWatermarks.set(key, Number(batch.highWatermark));
      const messages = batch.messages;
      // A fetch can hold thousands of records (thousands of PutObjects at flush.size 1): store and
      // commit slice by slice, heartbeating in between, so the group never times the member out.
      for (let i = 0; i < messages.length; i += SLICE) {
        if (this.stopRequested) {
          payload.pause();
          return;
        }
        const slice = messages.slice(i, i + SLICE);
        const last = i + SLICE >= messages.length;
        const writes = this.state.ingest(topic, partition, slice, Date.now());
        if (last) writes.push(...this.state.advance(topic, partition, Number(batch.lastOffset()) + 1));
        try {
          await this.store(writes, heartbeat);
        } catch (err) {
          if (isRebalance(err)) {
            // A rebalance began during the store: kafkajs rejoins and re-delivers from the commit.
            this.interrupted = generation;
            this.fault('during-revoke', `a store of ${key} interrupted by a rebalance`);
            this.skipped('a batch', `${key} up to offset ${slice[slice.length - 1]!.offset}`, err);
            if (isKafkaError(err)) throw err;
            return;
          }
          this.fail(err);
          payload.pause();
          return;
        }
        if (generation !== this.state.generation) {
          this.skipped('a batch', `${key} up to offset ${slice[slice.length - 1]!.offset}`);
          return;
        }
        if (writes.length > 0)
          this.fault('after-upload-before-commit', `${writes.length} write(s) of ${key} stored`);
        resolveOffset(last ? batch.lastOffset() : slice[slice.length - 1]!.offset);
        const plan = this.state.commitPlan([key]);
        const committed = await this.commit(plan, generation, commit, 'a batch');
        if (committed && plan.size > 0 && last)
          this.fault('after-commit-before-fetch', `committed ${describePlan(plan)}`);
        await heartbeat();
      }
    });
  };

  /**
   * Stores writes (objects and rejected records) in parallel; all must succeed before a commit.
   * The group is heartbeaten throughout; a failed heartbeat (rebalance) aborts the uploads and
   * rejects with the Kafka error, and so does the upload deadline with SINK_UPLOAD_FAILED.
   */
  private async store(writes: PendingWrite[], heartbeat: (() => Promise<void>) | undefined): Promise<void> {
    if (writes.length === 0) return;
    const generation = this.state.generation;
    // kafkajs may rejoin on its own meanwhile (its loop heartbeats too): then the next heartbeat
    // would succeed for the NEW generation, so a generation change fences the store as well.
    const beat = async () => {
      if (generation !== this.state.generation) throw new Rebalanced('the group rebalanced during the store');
      await heartbeat?.();
    };
    // armed between objects, one upload at a time: the kill lands with some of them stored, not all
    const limit = pLimit(this.o.faultPoint === 'between-objects' ? 1 : this.o.uploadConcurrency);
    let stored = 0;
    const onRetry = () => {
      this.state.counters.uploadRetries++;
    };
    const started = performance.now();
    await whileHeartbeating(
      (signal) =>
        Promise.all(
          writes.map((w) =>
            limit(async () => {
              signal.throwIfAborted();
              const { key, body } = renderWrite(this.o.layout, w);
              await putWithRetry(this.s3, this.o.bucket, key, body, {
                retry: this.o.uploadRetry,
                logger: this.logger,
                onRetry,
                signal,
              });
              this.state.markStored(w, Buffer.byteLength(body));
              if (++stored < writes.length)
                this.fault('between-objects', `${stored} of ${writes.length} writes stored (${key})`);
            }),
          ),
        ),
      beat,
      HEARTBEAT_TICK_MS,
    );
    this.onStored?.((performance.now() - started) / 1000);
  }

  /** Tests only: SIGKILL here when this is the armed fault point (src/sink/fault-points.ts). */
  private fault(at: SinkFaultPoint, detail: string): void {
    reachFaultPoint(this.o.faultPoint, at, detail);
  }

  /** Commits `plan` unless the group rebalanced since `generation` (then logged and counted). */
  private async commit(
    plan: Map<string, number>,
    generation: number,
    send: Commit,
    what: string,
  ): Promise<boolean> {
    if (plan.size === 0) return true;
    if (generation !== this.state.generation || generation === this.interrupted) {
      this.skipped(what, describePlan(plan));
      return false;
    }
    await send(plan);
    this.state.markCommitted(plan);
    return true;
  }

  /**
   * A commit not sent after a rebalance: logged and counted, never recorded as committed. The
   * records are re-delivered from the last commit and rewrite the same keys.
   */
  private skipped(what: string, upTo: string, err?: unknown): void {
    this.state.counters.commitsSkipped++;
    this.logger.warn(
      `commit after ${what} skipped: the group rebalanced${err === undefined ? '' : ` (${describeError(err)})`}; ` +
        `${upTo} stays uncommitted, Kafka re-delivers those records and the same keys are rewritten`,
    );
  }

  /** The commit to use outside eachBatch for the current generation, if any can be trusted. */
  private commitOutside(generation: number): Commit | undefined {
    if (this.group?.generation === generation) return this.group.commit;
    if (!this.consumerUp) return undefined;
    return async (plan) => {
      const list = [...plan].map(([k, offset]) => ({ ...parseTpKey(k), offset: String(offset) }));
      await this.consumer.commitOffsets(list);
    };
  }

  /** Outside eachBatch (timer, drain, shutdown): close what `pick` returns, store, commit. */
  private async flushOutside(pick: () => PendingWrite[], stopAfter = false): Promise<void> {
    await this.lock(async () => {
      if (this.fatal !== undefined) return;
      // After the final flush no batch may buffer more (it would be dropped uncommitted anyway).
      if (stopAfter) this.stopping = true;
      const generation = this.state.generation;
      const what = stopAfter ? 'the final flush' : 'a scheduled rotation';
      const writes = pick();
      const group = this.group?.generation === generation ? this.group : undefined;
      try {
        await this.store(writes, group?.heartbeat);
      } catch (err) {
        if (!isRebalance(err)) {
          this.fail(err);
          return;
        }
        this.interrupted = generation;
        if (writes.length > 0) {
          this.fault('during-revoke', `${what} interrupted by a rebalance`);
          this.skipped(what, describeWrites(writes), err);
        }
        if (stopAfter) throw err;
        return;
      }
      if (writes.length > 0)
        this.fault('after-upload-before-commit', `${what}: ${describeWrites(writes)} stored`);
      const send = this.commitOutside(generation);
      const plan = this.state.commitPlan();
      if (!send && plan.size > 0) this.skipped(what, describePlan(plan));
      let committed = false;
      try {
        committed =
          plan.size === 0 || (send !== undefined && (await this.commit(plan, generation, send, what)));
      } catch (err) {
        // Stored but not committed: harmless (a replay rewrites the same keys). The final flush
        // reports it to finish(); a scheduled one waits for the rejoin that follows.
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
    let catchUpUntil: number | undefined;
    const onAbort = () => {
      this.stopRequested = true;
      this.wake?.();
    };
    const onCatchUp = () => {
      catchUpUntil = Date.now() + catchUp!.timeoutMs;
      this.wake?.();
    };
    signal?.addEventListener('abort', onAbort);
    if (catchUp?.signal.aborted) onCatchUp();
    else catchUp?.signal.addEventListener('abort', onCatchUp, { once: true });
    try {
      for (;;) {
        if (this.fatal !== undefined) throw this.fatal;
        if (signal?.aborted) return (await this.finish('signal'))!;
        if (catchUpUntil !== undefined) {
          if (await this.drained(false).catch(() => false)) return (await this.finish('signal'))!;
          if (Date.now() >= catchUpUntil) {
            this.logger.warn(
              `sink: not caught up with Kafka ${catchUp!.timeoutMs} ms after being asked to stop; stopping with ` +
                `${this.state.lag()} record(s) left in Kafka (the next sink run writes them)`,
            );
            return (await this.finish('signal'))!;
          }
        }
        await this.seedIfNeeded().catch((err: unknown) =>
          this.logger.debug(`could not read the group's offsets yet: ${describeError(err)}`),
        );
        if (this.o.drain) {
          await this.checkAlone().catch((err: unknown) => {
            if ((err as { type?: string }).type === 'GROUP_AUTHORIZATION_FAILED') {
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
          if (this.fatal !== undefined) throw this.fatal;
        }
        if (this.o.rotateScheduleIntervalMs > 0) await this.flushOutside(() => this.state.due(Date.now()));
        if (this.o.drain && (await this.drained(true).catch(() => false))) {
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
      catchUp?.signal.removeEventListener('abort', onCatchUp);
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
    this.pauseAll(true);
    try {
      await this.flushOutside(() => this.state.closeAll(reason === 'drain' ? 'drain' : 'shutdown'), true);
    } catch (err) {
      if (!isRebalance(err)) throw err;
      this.logger.warn(
        `final flush or commit interrupted (${describeError(err)}); offsets not committed: ` +
          (reason === 'drain'
            ? 'draining again from the last commit'
            : 'the next run rewrites the same keys'),
      );
      if (reason === 'drain') {
        this.stopping = false;
        this.stopRequested = false;
        this.pauseAll(false);
        return undefined;
      }
    }
    if (this.fatal !== undefined) throw this.fatal;
    return reason;
  }

  /** While stopping, no partition is fetched (an unresolved batch would be fetched again at once). */
  private pauseAll(pause: boolean): void {
    const topics = this.topics.map((topic) => ({ topic }));
    try {
      if (pause) this.consumer.pause(topics);
      else this.consumer.resume(topics);
    } catch (err) {
      this.logger.debug(`could not ${pause ? 'pause' : 'resume'} the topics: ${describeError(err)}`);
    }
  }

  /**
   * --drain needs the group to itself: another member's open objects are only stored when that
   * member stops, so "caught up" could never be judged here. Checked once per generation, after
   * the join (a SIGKILLed member has left by then: the join waits for its session to expire).
   */
  private async checkAlone(): Promise<void> {
    const generation = this.state.generation;
    if (generation === 0 || generation === this.checkedGeneration) return;
    const { groups } = await this.admin.describeGroups([this.o.groupId]);
    const members = groups[0]?.members ?? [];
    if (generation !== this.state.generation) return;
    this.checkedGeneration = generation;
    if (members.length > 1) {
      this.fail(
        new PinpipeError(
          'SINK_GROUP_BUSY',
          `--drain needs consumer group ${this.o.groupId} to itself, but ${members.length - 1} other member(s) ` +
            `are in it (${members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ')}). Stop the other sink(s) ` +
            '(SIGTERM stores and commits what they hold) and drain again, or drain with another --group. ' +
            'Nothing was committed by this run after the group changed.',
        ),
      );
    }
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

  /**
   * --drain (and a catch-up stop): true once every assigned partition reached the high watermark
   * seen when it began. --drain also needs the group to itself (`alone`, checkAlone).
   */
  private async drained(alone: boolean): Promise<boolean> {
    const generation = this.state.generation;
    if (generation === 0 || this.seededGeneration !== generation) return false;
    if (alone && this.checkedGeneration !== generation) return false;
    if (generation === this.interrupted) return false;
    if (!this.targets) {
      const targets = new Map<string, number>();
      const lows = new Map<string, number>();
      for (const topic of this.topics) {
        for (const p of await this.admin.fetchTopicOffsets(topic)) {
          targets.set(tpKey(topic, p.partition), Number(p.high));
          lows.set(tpKey(topic, p.partition), Number(p.low));
        }
      }
      this.targets = targets;
      const { toRead, toStore } = drainCounts(this.state.assigned, targets, {
        position: (k) => this.state.position(k),
        committed: (k) => this.state.committedOffset(k),
        low: (k) => lows.get(k),
      });
      this.logger.info(
        `${alone ? 'draining' : 'catching up'}: ${toStore} record(s) to store up to the high watermark ` +
          `(${toStore - toRead} read and held, ${toRead} still to read)`,
      );
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

function describePlan(plan: Map<string, number>): string {
  return [...plan].map(([k, offset]) => `${k} below offset ${offset}`).join(', ');
}

function describeWrites(writes: PendingWrite[]): string {
  const last = new Map<string, number>();
  for (const w of writes) {
    const [k, offset] =
      w.kind === 'object'
        ? [tpKey(w.object.topic, w.object.partition), w.object.startOffset + w.object.lines.length - 1]
        : [tpKey(w.record.topic, w.record.partition), w.record.offset];
    last.set(k, Math.max(last.get(k) ?? -1, offset));
  }
  return [...last].map(([k, offset]) => `${k} up to offset ${offset}`).join(', ');
}

function isRebalance(err: unknown): boolean {
  return err instanceof Rebalanced || isKafkaError(err);
}

export function asPinpipeError(err: unknown): PinpipeError {
  if (err instanceof PinpipeError) return err;
  return new PinpipeError('INTERNAL', `The sink stopped: ${describeError(err)}`, { cause: err });
}
