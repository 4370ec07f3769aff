import { groupOffsets, topicOffsets as watermarks, type KafkaAdmin } from '../clients/index.ts';
import { tpKey } from './offsets.ts';

/** What the sink reads of its topics and of its group (offsets as numbers, by tp key). */

/** Low and high watermarks of every partition of `topics`. */
export async function topicOffsets(
  admin: KafkaAdmin,
  topics: string[],
): Promise<Map<string, { low: number; high: number }>> {
  const out = new Map<string, { low: number; high: number }>();
  for (const topic of topics) {
    for (const p of await watermarks(admin, topic)) {
      out.set(tpKey(topic, p.partition), { low: Number(p.low), high: Number(p.high) });
    }
  }
  return out;
}

/**
 * The group's committed offsets of every partition of `topics` (-1: none). The partitions come from
 * `partitions` (the topics' watermarks), so one without a commit is there too.
 */
export async function committedOffsets(
  admin: KafkaAdmin,
  groupId: string,
  topics: string[],
  partitions?: Iterable<string>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const key of partitions ?? (await topicOffsets(admin, topics)).keys()) out.set(key, -1);
  for (const { topic, partitions: committed } of await groupOffsets(admin, groupId, topics)) {
    for (const p of committed) out.set(tpKey(topic, p.partition), Number(p.offset));
  }
  return out;
}

/** The members of a group as `clientId@clientHost`. */
export async function groupMembers(admin: KafkaAdmin, groupId: string): Promise<string[]> {
  const groups = await admin.describeGroups({ groups: [groupId] });
  return [...(groups.get(groupId)?.members.values() ?? [])].map((m) => `${m.clientId}@${m.clientHost}`);
}
