import { ListOffsetTimestamps, type Admin } from '@platformatic/kafka';
import { tpKey } from './offsets.ts';

/** What the sink reads of topics and of its group through the admin client (all offsets as numbers). */

/** Low and high watermarks of every partition of `topics`, by tp key. */
export async function topicOffsets(
  admin: Admin,
  topics: string[],
): Promise<Map<string, { low: number; high: number }>> {
  const md = await admin.metadata({ topics, forceUpdate: true });
  const request = topics.map((name) => ({
    name,
    partitions: Array.from({ length: md.topics.get(name)?.partitionsCount ?? 0 }, (_, partitionIndex) => ({
      partitionIndex,
      timestamp: 0n,
    })),
  }));
  const at = (timestamp: bigint) =>
    admin.listOffsets({
      topics: request.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, timestamp })) })),
    });
  const [low, high] = await Promise.all([at(ListOffsetTimestamps.EARLIEST), at(ListOffsetTimestamps.LATEST)]);
  const out = new Map<string, { low: number; high: number }>();
  for (const t of low) {
    for (const p of t.partitions)
      out.set(tpKey(t.name, p.partitionIndex), { low: Number(p.offset), high: 0 });
  }
  for (const t of high) {
    for (const p of t.partitions) {
      const key = tpKey(t.name, p.partitionIndex);
      out.set(key, { low: out.get(key)?.low ?? 0, high: Number(p.offset) });
    }
  }
  return out;
}

/**
 * The group's committed offsets of every partition of `topics`, by tp key (-1: none). Partitions
 * are listed from the topic metadata, so one without a commit is there too.
 */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: string[],
): Promise<Map<string, number>> {
  const md = await admin.metadata({ topics });
  const out = new Map<string, number>();
  const request = topics.map((name) => {
    const partitionIndexes = Array.from({ length: md.topics.get(name)?.partitionsCount ?? 0 }, (_, i) => i);
    for (const p of partitionIndexes) out.set(tpKey(name, p), -1);
    return { name, partitionIndexes };
  });
  const [group] = await admin.listConsumerGroupOffsets({ groups: [{ groupId, topics: request }] });
  for (const t of group?.topics ?? []) {
    for (const p of t.partitions) out.set(tpKey(t.name, p.partitionIndex), Number(p.committedOffset));
  }
  return out;
}

/** The members of a group as `clientId@clientHost`. */
export async function groupMembers(admin: Admin, groupId: string): Promise<string[]> {
  const groups = await admin.describeGroups({ groups: [groupId] });
  const group = groups.get(groupId);
  return [...(group?.members.values() ?? [])].map((m) => `${m.clientId}@${m.clientHost}`);
}
