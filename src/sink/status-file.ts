import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Profile } from '../config/index.ts';
import { parseJsonFileText } from '../json.ts';
import { processAlive } from '../process-alive.ts';

/**
 * A running sink's live figures, rewritten every second (atomically: a temporary file renamed over
 * the old one) and removed when the sink stops, so `pinpipe status` can show records the sink holds
 * in memory apart from records it has not read yet.
 */
export interface SinkStatus {
  pid: number;
  at: string;
  groupId: string;
  /** Per topic: records read and buffered (not yet in an S3 object), and records not yet read. */
  topics: Record<string, { buffered: number; lag: number }>;
  /** Where the sink serves Prometheus metrics, when it was started with a metrics port. */
  metricsUrl?: string;
}

const sinkStatusSchema: z.ZodType<SinkStatus> = z.object({
  pid: z.int().positive(),
  at: z.iso.datetime(),
  groupId: z.string(),
  topics: z.record(z.string(), z.object({ buffered: z.number(), lag: z.number() })),
  metricsUrl: z.string().optional(),
});

/** A status older than this is from a sink that died without removing it. */
export const SINK_STATUS_MAX_AGE_MS = 10_000;

export function sinkStatusPath(profile: Pick<Profile, 'batch'>, groupId: string): string {
  return path.join(path.dirname(profile.batch.workDir), 'status', `sink-${groupId}.json`);
}

export function writeSinkStatus(file: string, status: SinkStatus): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(status));
  fs.renameSync(tmp, file);
}

/**
 * The live status of a running sink; undefined when none runs (no file, stale, or its process gone).
 * A file that holds no sink status is a FILE_INVALID naming it.
 */
export function readSinkStatus(file: string, now = Date.now()): SinkStatus | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // no sink, or it stopped (and removed the file) just now
  }
  const s = parseJsonFileText(file, text, sinkStatusSchema, {
    fix: 'Delete it: a running sink rewrites it every second.',
  });
  if (now - Date.parse(s.at) > SINK_STATUS_MAX_AGE_MS || !processAlive(s.pid)) return undefined;
  return s;
}

export function removeSinkStatus(file: string): void {
  fs.rmSync(file, { force: true });
}
