import { TOPIC_KINDS, type PerTopic, type SinkObject } from './types.ts';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The folder of one topic's objects in the bucket: `<topicsDir>/<topic>/`. */
export function topicPrefix(topicsDir: string, topic: string): string {
  const dir = topicsDir.replace(/^\/+|\/+$/g, '');
  return dir === '' ? `${topic}/` : `${dir}/${topic}/`;
}

/**
 * Parses a sink object key (docs/spec.md#object-keys) into its topic, partition and start offset, or undefined when
 * the key is not one of ours (another topic, a marker, a temp file). The partition in the folder
 * and in the file name must agree.
 */
export function parseSinkKey(
  key: string,
  topicsDir: string,
  topics: PerTopic<string>,
): SinkObject | undefined {
  for (const kind of TOPIC_KINDS) {
    const topic = topics[kind];
    const prefix = topicPrefix(topicsDir, topic);
    if (!key.startsWith(prefix)) continue;
    const re = new RegExp(`^partition=(\\d+)/${escapeRe(topic)}\\+(\\d+)\\+(\\d{10,})\\.json$`);
    const m = re.exec(key.slice(prefix.length));
    if (!m || m[1] !== m[2]) return undefined;
    const partition = Number(m[1]);
    const startOffset = Number(m[3]);
    if (!Number.isSafeInteger(partition) || !Number.isSafeInteger(startOffset)) return undefined;
    return { key, kind, topic, partition, startOffset };
  }
  return undefined;
}

/** The sink's key for an object (used by fixtures and the bench generator). */
export function sinkKey(topicsDir: string, topic: string, partition: number, startOffset: number): string {
  return `${topicPrefix(topicsDir, topic)}partition=${partition}/${topic}+${partition}+${String(startOffset).padStart(10, '0')}.json`;
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
