import type { Profile } from '../src/config/index.ts';
import { topicNames } from '../src/config/index.ts';

/**
 * The Confluent S3 sink connector's properties for a profile (MSK Connect, as in the original),
 * derived from the same settings `pinpipe sink` reads, so the connector writes the keys and contents
 * that `pinpipe sink` writes and `pinpipe batch`/`verify` read (docs/spec.md#object-keys):
 * `<topics.dir>/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json`, one JSON value per line.
 * Reference: https://docs.confluent.io/kafka-connectors/s3-sink/current/configuration_options.html
 */
export function connectorProperties(profile: Profile): Record<string, string> {
  const props: Record<string, string> = {
    'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
    'tasks.max': String(profile.kafka.partitions),
    'topics.regex': connectorTopicsRegex(profile),
    'topics.dir': profile.s3.topicsDir,
    's3.bucket.name': profile.s3.bucket,
    's3.region': profile.region,
    'flush.size': String(profile.sink.flushSize),
    'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
    'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
    'partitioner.class': 'io.confluent.connect.storage.partitioner.DefaultPartitioner',
    'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
  };
  if (profile.sink.rotateIntervalMs > 0) props['rotate.interval.ms'] = String(profile.sink.rotateIntervalMs);
  if (profile.sink.rotateScheduleIntervalMs > 0) {
    props['rotate.schedule.interval.ms'] = String(profile.sink.rotateScheduleIntervalMs);
    // the connector refuses scheduled rotation without a time zone
    props.timezone = 'UTC';
  }
  return props;
}

/** The profile's sink.topicsRegex, else a regex matching exactly the three topics. */
export function connectorTopicsRegex(profile: Profile): string {
  if (profile.sink.topicsRegex) return profile.sink.topicsRegex;
  const t = topicNames(profile);
  return [t.pin, t.geo, t.user].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/**
 * The connector's name: MSK Connect's consumer group is `connect-<name>`, so a profile whose
 * sink.groupId is `connect-X` gets the connector X and both sinks share one committed position.
 */
export function connectorName(profile: Profile): string {
  return profile.sink.groupId.replace(/^connect-/, '');
}
