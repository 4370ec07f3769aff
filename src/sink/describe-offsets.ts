import { tpKey } from './offsets.ts';
import type { PendingWrite } from './sink-state.ts';

/** A commit plan in a log line: `topic-partition below offset N`, … */
export function describePlan(plan: Map<string, number>): string {
  return [...plan].map(([k, offset]) => `${k} below offset ${offset}`).join(', ');
}

/** A slice in a log line: each partition up to its last offset. */
export function describeSlice(byKey: Map<string, Array<{ offset: bigint }>>): string {
  return [...byKey].map(([k, ms]) => `${k} up to offset ${ms[ms.length - 1]!.offset}`).join(', ');
}

/** Writes in a log line: each partition up to the last offset they hold. */
export function describeWrites(writes: PendingWrite[]): string {
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
