/**
 * Object names in the Confluent S3 sink layout (docs/spec.md#object-keys):
 *   <prefix>/<topics.dir>/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json
 * The start offset is zero-padded to 10 digits (the connector's "%010d": longer offsets keep all
 * their digits). Because names come from offsets, a replay after a crash rewrites the same keys.
 */
export const OFFSET_DIGITS = 10;
export const OBJECT_EXTENSION = '.json';

/** Where the sink writes: an optional root prefix, the topics dir and the dir for bad records. */
export interface SinkLayout {
  /** Root prefix before everything (empty in normal use; tests use a unique one). */
  prefix: string;
  /** The connector's topics.dir (profile s3.topicsDir, default "topics"). */
  topicsDir: string;
  /** Records whose value is not JSON (default "errors"). */
  errorsDir: string;
}

export function padOffset(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`invalid offset ${offset}`);
  return String(offset).padStart(OFFSET_DIGITS, '0');
}

/** Joins key segments with "/", dropping empty ones and stray slashes. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
}

/** `<prefix>/<topics.dir>`: everything the sink writes for records lives under it. */
export function topicsRoot(layout: SinkLayout): string {
  return joinKey(layout.prefix, layout.topicsDir);
}

export function errorsRoot(layout: SinkLayout): string {
  return joinKey(layout.prefix, layout.errorsDir);
}

/** The folder of one partition, with a trailing slash (for listing). */
export function partitionPrefix(layout: SinkLayout, topic: string, partition: number): string {
  return `${joinKey(topicsRoot(layout), topic, `partition=${partition}`)}/`;
}

export function objectKey(layout: SinkLayout, topic: string, partition: number, startOffset: number): string {
  return `${partitionPrefix(layout, topic, partition)}${topic}+${partition}+${padOffset(startOffset)}${OBJECT_EXTENSION}`;
}

/** One object per rejected record: errors/<topic>/partition=<p>/<offset>.json. */
export function errorKey(layout: SinkLayout, topic: string, partition: number, offset: number): string {
  return `${joinKey(errorsRoot(layout), topic, `partition=${partition}`, padOffset(offset))}${OBJECT_EXTENSION}`;
}

export interface ParsedObjectKey {
  topic: string;
  partition: number;
  startOffset: number;
}

/** The largest partition number Kafka has (an int32). */
export const MAX_PARTITION = 2_147_483_647;

const OBJECT_NAME = /(?:^|\/)([A-Za-z0-9._-]+)\/partition=(\d+)\/([A-Za-z0-9._-]+)\+(\d+)\+(\d+)\.json$/;

/**
 * Reads topic, partition and start offset back from a key; undefined for keys not in the layout,
 * and for a partition or offset out of range (over int32, past 2^53).
 * Readers use it with the line number to give every record its offset (docs/sink.md).
 */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const m = OBJECT_NAME.exec(key);
  if (!m) return undefined;
  const [, dirTopic, dirPartition, topic, partition, start] = m;
  if (dirTopic !== topic || dirPartition !== partition) return undefined;
  const startOffset = Number(start);
  const partitionId = Number(partition);
  // Kafka's partitions are int32; offsets past 2^53 cannot be held exactly: such a key is not ours.
  if (!Number.isSafeInteger(startOffset) || partitionId > MAX_PARTITION) return undefined;
  return { topic: topic!, partition: partitionId, startOffset };
}
