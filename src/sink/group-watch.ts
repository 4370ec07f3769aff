import type { LimitFunction } from 'p-limit';
import type { KafkaAdmin } from '../clients/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { committedOffsets, groupMembers, topicOffsets } from './group-reads.ts';
import { caughtUp, drainCounts, parseTpKey } from './offsets.ts';
import type { SinkLifecycle } from './sink-life.ts';
import type { SinkState } from './sink-state.ts';

export interface GroupWatchDeps {
  admin: KafkaAdmin;
  topics: string[];
  groupId: string;
  logger: Logger;
  state: SinkState;
  life: SinkLifecycle;
  /** The runner's lock: positions are seeded between slices, never during one. */
  lock: LimitFunction;
  fail: (err: unknown) => void;
}

/**
 * What the sink reads of its group and topics on the admin client, once per generation or per tick:
 * positions seeded from the committed offsets, the high watermarks (lag), the drain targets, and
 * --drain's check that the group has this member alone.
 */
export class GroupWatch {
  /** --drain and catch-up: the high watermarks seen when draining began. */
  private targets: Map<string, number> | undefined;

  constructor(private readonly d: GroupWatchDeps) {}

  /** Once per generation: positions of assigned partitions from the group's committed offsets. */
  async seedIfNeeded(): Promise<void> {
    const { admin, topics, groupId, state, life } = this.d;
    const generation = life.generation;
    if (generation === undefined || !life.reads(generation) || life.seeded(generation)) return;
    const offsets = await topicOffsets(admin, topics);
    const committed = await committedOffsets(admin, groupId, topics, offsets.keys());
    await this.d.lock(async () => {
      if (!life.reads(generation)) return;
      for (const [key, { high }] of offsets) state.highWatermarks.set(key, high);
      for (const key of state.assigned) {
        const { topic, partition } = parseTpKey(key);
        const offset = committed.get(key) ?? -1;
        if (offset >= 0) state.seed(topic, partition, offset, true);
        else state.seed(topic, partition, offsets.get(key)?.low ?? 0, false);
      }
      life.markSeeded(generation);
    });
  }

  async refreshHighWatermarks(): Promise<void> {
    try {
      for (const [key, { high }] of await topicOffsets(this.d.admin, this.d.topics))
        this.d.state.highWatermarks.set(key, high);
    } catch (err) {
      this.d.logger.debug(`could not refresh high watermarks: ${describeError(err)}`);
    }
  }

  /**
   * --drain needs the group to itself: another member's open objects are only stored when that
   * member stops, so "caught up" could never be judged here. Checked once per generation, after
   * the join (a SIGKILLed member has left by then: the join waits for its session to expire).
   */
  async checkAlone(): Promise<void> {
    const { life, groupId } = this.d;
    const generation = life.generation;
    if (generation === undefined || !life.reads(generation) || life.alone(generation)) return;
    const members = await groupMembers(this.d.admin, groupId);
    if (!life.reads(generation)) return;
    if (members.length <= 1) {
      life.markAlone(generation);
      return;
    }
    this.d.fail(
      new PinpipeError(
        'SINK_GROUP_BUSY',
        `--drain needs consumer group ${groupId} to itself, but ${members.length - 1} other member(s) ` +
          `are in it (${members.join(', ')}). Stop the other sink(s) ` +
          '(SIGTERM stores and commits what they hold) and drain again, or drain with another --group. ' +
          'Nothing was committed by this run after the group changed.',
      ),
    );
  }

  /**
   * --drain (and a catch-up stop): true once every assigned partition reached the high watermark
   * seen when it began. --drain also needs the group to itself (`alone`, checkAlone).
   */
  async drained(alone: boolean): Promise<boolean> {
    const { state, life } = this.d;
    const generation = life.generation;
    if (generation === undefined || !life.reads(generation) || !life.seeded(generation)) return false;
    if (alone && !life.alone(generation)) return false;
    if (!this.targets) {
      const offsets = await topicOffsets(this.d.admin, this.d.topics);
      const targets = new Map([...offsets].map(([key, { high }]) => [key, high]));
      this.targets = targets;
      const { toRead, toStore } = drainCounts(state.assigned, targets, {
        position: (k) => state.position(k),
        committed: (k) => state.committedOffset(k),
        low: (k) => offsets.get(k)?.low,
      });
      this.d.logger.info(
        `${alone ? 'draining' : 'catching up'}: ${toStore} record(s) to store up to the high watermark ` +
          `(${toStore - toRead} read and held, ${toRead} still to read)`,
      );
    }
    return caughtUp(state.assigned, (k) => state.position(k), this.targets);
  }
}
