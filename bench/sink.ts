/**
 * Sink throughput: records/s from a pre-filled 3-partition topic into the sandbox S3,
 * at flush.size 1,000 and at flush.size 1 (one object per record, as the original connector was
 * configured — slow by nature: one PutObject per record).
 *
 *   npm run bench:sink                       # 60,000 records at 1,000; 3,000 at 1
 *   npm run bench:sink -- 100000 5000        # other counts
 *
 * The time includes joining the consumer group (about a second); the topic, group and objects
 * are deleted afterwards.
 */
import { createKafkaAdmin, createKafkaProducer, createS3, createTopicsReady } from '../src/clients/index.ts';
import { loadProfile, type Profile } from '../src/config/index.ts';
import { createLogger } from '../src/log.ts';
import { runSink, type SinkSummary } from '../src/sink/index.ts';
import { uniqueName } from '../testkit/names.ts';
import { deletePrefix } from '../testkit/sink-crash.ts';

function pinLike(i: number): string {
  return JSON.stringify({
    index: i,
    unique_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    title: `Bench post number ${i}`,
    description: 'Keep the kids busy this summer with easy crafts and fun ideas for every day of the week',
    poster_name: 'Of Life & Lisa | Lifestyle Blog',
    follower_count: `${(i % 900) + 1}k`,
    tag_list: 'Summer Crafts For Kids,Fun Crafts For Kids,Summer Kids',
    is_image_or_video: 'image',
    image_src: `https://i.pinimg.com/originals/b3/bc/e2/${i}.jpg`,
    downloaded: 1,
    save_location: 'Local save in /data/diy-and-crafts',
    category: 'diy-and-crafts',
  });
}

async function prefill(profile: Profile, topic: string, records: number): Promise<number> {
  const admin = createKafkaAdmin(profile);
  await createTopicsReady(admin, { topics: [{ topic, numPartitions: 3 }] });
  await admin.close();
  const producer = createKafkaProducer(profile);
  const t0 = Date.now();
  for (let i = 0; i < records; i += 1000) {
    const n = Math.min(1000, records - i);
    await producer.send({
      // keyless records spread over the partitions, as the proxy sends them
      messages: Array.from({ length: n }, (_, j) => ({
        topic,
        partition: (i + j) % 3,
        value: Buffer.from(pinLike(i + j)),
      })),
    });
  }
  await producer.close();
  return Date.now() - t0;
}

async function cleanup(profile: Profile, topic: string, group: string, prefix: string): Promise<void> {
  const admin = createKafkaAdmin(profile);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
  await admin.close();
  const s3 = createS3(profile);
  await deletePrefix(s3, profile.s3.bucket, `${prefix}/`).catch(() => 0);
  s3.destroy();
}

async function benchOne(profile: Profile, flushSize: number, records: number): Promise<SinkSummary> {
  const topic = uniqueName(`bench-sink-${flushSize}`);
  const group = uniqueName('bench-sink-group');
  const prefix = uniqueName('bench-sink');
  try {
    const fillMs = await prefill(profile, topic, records);
    process.stderr.write(`pre-filled ${topic} with ${records} records in ${(fillMs / 1000).toFixed(1)} s\n`);
    return await runSink({
      profile,
      topics: [topic],
      groupId: group,
      prefix,
      flushSize,
      drain: true,
      progressIntervalMs: 5000,
      logger: createLogger('info'),
    });
  } finally {
    await cleanup(profile, topic, group, prefix);
  }
}

const [big = '60000', small = '3000'] = process.argv.slice(2);
const { profile } = loadProfile();
const rows: string[] = [];
for (const [flushSize, records] of [
  [1000, Number(big)],
  [1, Number(small)],
] as const) {
  const s = await benchOne(profile, flushSize, records);
  rows.push(
    `flush.size ${String(flushSize).padStart(5)}: ${String(s.recordsWritten).padStart(7)} records, ` +
      `${String(s.objectsWritten).padStart(6)} objects, ${(s.durationMs / 1000).toFixed(1).padStart(6)} s, ` +
      `${String(s.recordsPerSecond).padStart(6)} records/s, ${(s.bytesWritten / 1e6).toFixed(1)} MB`,
  );
}
process.stdout.write(
  `sink throughput into ${profile.aws.endpoint ?? 'AWS S3'} (bucket ${profile.s3.bucket}):\n${rows.join('\n')}\n`,
);
