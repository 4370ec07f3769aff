import { createKafkaAdmin, groupOffsets, topicOffsets, type KafkaAdmin as Admin } from '../clients/index.ts';
import { topicNames, type Profile } from '../config/index.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/index.ts';
import { lagPerPartition, toPartitionOffsets, type PartitionLag, type PartitionOffsets } from './records.ts';
import { PROBE_MS, withTimeout } from './probe.ts';

/** The sink group as Kafka describes it. */
export interface SinkGroup {
  state: string;
  members: number;
}

/** What one Kafka probe read (see KafkaSource.figures). */
export interface KafkaFigures {
  perTopic: Record<TopicKey, PartitionLag[]>;
  sink: SinkGroup | null;
  /** Why the sink group could not be read, when only that failed. */
  sinkError: unknown;
}

/** Kafka's offsets and the sink group, on one long-lived admin client. */
export class KafkaSource {
  private admin: Admin | undefined;
  readonly names: Record<TopicKey, string>;

  constructor(private readonly profile: Profile) {
    this.names = topicNames(profile);
  }

  /** The admin connects on its first request; one whose call failed is closed and rebuilt. */
  private connectedAdmin(): Admin {
    this.admin ??= createKafkaAdmin(this.profile, {
      retries: 1,
      retryDelay: 100,
      connectTimeout: 1500,
      requestTimeout: 5000,
    });
    return this.admin;
  }

  /** Runs an admin call; a failure drops the connection so the next call reconnects. */
  private async withAdmin<T>(f: (a: Admin) => Promise<T>, dropOnError = true): Promise<T> {
    const admin = this.connectedAdmin();
    try {
      return await withTimeout(f(admin), PROBE_MS, 'Kafka');
    } catch (err) {
      if (!dropOnError) throw err;
      if (this.admin === admin) this.admin = undefined;
      await admin.close().catch(() => {});
      throw err;
    }
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.withAdmin(async (a) => toPartitionOffsets(await topicOffsets(a, topic)));
  }

  /**
   * Per-topic offsets (Kafka down when they fail) and the sink group's commits and members (the
   * sink alone down when only they fail, e.g. while the group coordinator is still starting).
   */
  async figures(): Promise<KafkaFigures> {
    const { names } = this;
    const groupId = this.profile.sink.groupId;
    const offsets = {} as Record<TopicKey, PartitionOffsets[]>;
    await this.withAdmin(async (a) => {
      for (const k of TOPIC_KEYS) offsets[k] = toPartitionOffsets(await topicOffsets(a, names[k]));
    });
    let committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }> = [];
    let sink: SinkGroup | null = null;
    let sinkError: unknown;
    try {
      await this.withAdmin(async (a) => {
        committed = await groupOffsets(
          a,
          groupId,
          TOPIC_KEYS.map((k) => names[k]),
        );
        const g = (await a.describeGroups({ groups: [groupId] })).get(groupId);
        sink = { state: g?.state ?? 'Dead', members: g?.members.size ?? 0 };
      }, false);
    } catch (err) {
      sinkError = err;
    }
    const perTopic = {} as Record<TopicKey, PartitionLag[]>;
    for (const k of TOPIC_KEYS) {
      perTopic[k] = lagPerPartition(
        offsets[k],
        committed.find((c) => c.topic === names[k])?.partitions ?? [],
      );
    }
    return { perTopic, sink, sinkError };
  }

  async close(): Promise<void> {
    await this.admin?.close().catch(() => {});
  }
}
