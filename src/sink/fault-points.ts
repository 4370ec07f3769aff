import fs from 'node:fs';
import type { SinkFaultPoint } from '../config/index.ts';

export type { SinkFaultPoint } from '../config/index.ts';

/**
 * The sink's named crash windows, for tests that kill it exactly there (docs/sink.md "Fault points").
 * Off unless PINPIPE_SINK_FAULT_POINT names one (src/config/env.ts): when the sink reaches the armed
 * point it says so on stderr and sends itself SIGKILL, as a crash at that instant would.
 *   after-upload-before-commit  a batch's or flush's objects are in S3, their offsets not committed
 *   after-commit-before-fetch   a batch's offsets are committed, the next fetch not yet made
 *   between-objects             one object of a flush of several is in S3, the next not yet
 *   during-revoke               a rebalance revoked the partitions while a store was running
 */
export function reachFaultPoint(armed: SinkFaultPoint | undefined, at: SinkFaultPoint, detail: string): void {
  if (armed !== at) return;
  // stderr to a pipe or file is written synchronously: the line is out before the signal lands
  fs.writeSync(2, `sink fault point ${at} reached (${detail}): SIGKILL\n`);
  process.kill(process.pid, 'SIGKILL');
}
