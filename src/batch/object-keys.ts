import { joinKey, objectKey, parseObjectKey } from '../sink/keys.ts';
import { TOPIC_KINDS, type PerTopic, type SinkObject } from './types.ts';

/** The folder of one topic's objects in the bucket: `<topicsDir>/<topic>/`. */
export function topicPrefix(topicsDir: string, topic: string): string {
  return `${joinKey(topicsDir, topic)}/`;
}

/** The sink's key for an object (src/sink/keys.ts) under a topics dir. */
export function sinkKey(topicsDir: string, topic: string, partition: number, startOffset: number): string {
  return objectKey({ prefix: '', topicsDir, errorsDir: '' }, topic, partition, startOffset);
}

/**
 * Reads a sink object key (docs/spec.md#s3-layout) with the sink's own parser into its topic, partition and start
 * offset, or undefined when the key is not one of ours (another topic, a marker, a temp file): the
 * key must be exactly the one the sink writes for them under `topicsDir`.
 */
export function parseSinkKey(
  key: string,
  topicsDir: string,
  topics: PerTopic<string>,
): SinkObject | undefined {
  const parsed = parseObjectKey(key);
  if (!parsed) return undefined;
  const kind = TOPIC_KINDS.find((k) => topics[k] === parsed.topic);
  if (!kind || key !== sinkKey(topicsDir, parsed.topic, parsed.partition, parsed.startOffset))
    return undefined;
  return { key, kind, topic: parsed.topic, partition: parsed.partition, startOffset: parsed.startOffset };
}

/** The S3 key of a Parquet output: `<prefix>/<name>/run_date=<runDate>/<name>.parquet` (Hive style). */
export function outputKey(prefix: string, name: string, runDate: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return `${p === '' ? '' : `${p}/`}${name}/run_date=${runDate}/${name}.parquet`;
}

export function isRunDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
