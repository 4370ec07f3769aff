import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, spawnSink } from '../../testkit/sink-crash.ts';
import { readKafkaLog } from '../../testkit/kafka-log.ts';
import { mulberry32, randInt } from '../../src/emulator/index.ts';
import { compareWithLog, readStoredRecords, topicsRoot } from '../../src/sink/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { committedOffsets, highWatermarks, sinkKit } from '../helpers/sink-kit.ts';
import { createKafkaProducer } from '../../src/clients/index.ts';

// Scale-out: two and three `pinpipe sink` processes in one consumer group (as Kafka Connect runs
// tasks), records arriving all the time, one member SIGKILLed at a random moment. The survivors
// take over its partitions after the session timeout, and S3 holds every offset exactly once.
// The kill timing comes from PINPIPE_TEST_SEED (printed; set it to replay a run).

const SEED = Number(process.env.PINPIPE_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PARTITIONS = 6;
const FLUSH = 10;

const profile = testProfile();
const bucket = profile.s3.bucket;
const kit = sinkKit(profile);
const { admin, s3, children } = kit;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  process.stderr.write(`sink-group: seed ${SEED} (PINPIPE_TEST_SEED=${SEED} replays the kill timing)\n`);
});

afterAll(async () => {
  await kit.cleanup();
});

async function offsets(group: string, topic: string): Promise<{ committed: number[]; high: number[] }> {
  const committed = Array<number>(PARTITIONS).fill(-1);
  for (const [p, o] of (await committedOffsets(admin, group, topic)).entries()) committed[p] = o;
  const high = Array<number>(PARTITIONS).fill(0);
  for (const [p, h] of (await highWatermarks(admin, topic)).entries()) high[p] = h;
  return { committed, high };
}

/** FLUSH records to every partition every 200 ms, so every record ends in a closed object. */
function produceRounds(topic: string): { stop: () => Promise<number> } {
  const producer = createKafkaProducer(profile);
  let running = true;
  let rounds = 0;
  const loop = (async () => {
    while (running) {
      const messages = [];
      for (let p = 0; p < PARTITIONS; p++) {
        for (let i = 0; i < FLUSH; i++) {
          messages.push({ topic, partition: p, value: Buffer.from(JSON.stringify({ round: rounds, p, i })) });
        }
      }
      await producer.send({ messages });
      rounds++;
      await sleep(200);
    }
    await producer.close();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return rounds * PARTITIONS * FLUSH;
    },
  };
}

describe('sink: several members in one group', { timeout: 60_000 }, () => {
  it.each([2, 3])('%i members, one SIGKILLed: every offset exactly once in S3', async (members) => {
    const rng = mulberry32(SEED + members);
    const { topic, group, prefix } = await kit.fixture(`sink-group${members}`, PARTITIONS);
    const args = [
      ...['--topics', topic, '--group', group, '--prefix', prefix, '--flush-size', String(FLUSH)],
      ...['--session-timeout-ms', '6000', '--progress-ms', '0'],
    ];
    const producer = produceRounds(topic);
    const joined = new Set<number>();
    const logs: string[] = Array<string>(members).fill('');
    const sinks = Array.from({ length: members }, (_, m) => {
      const child = spawnSink(args, (l) => {
        logs[m] += `${l}\n`;
        if (l.includes('joined group')) joined.add(m);
      });
      children.push(child);
      return child;
    });
    const context = () =>
      `seed ${SEED}; member logs:\n${logs.map((l, m) => `--- member ${m}\n${l}`).join('')}`;

    const t0 = Date.now();
    while (joined.size < members) {
      if (Date.now() - t0 > 30_000) throw new Error(`only ${joined.size} of ${members} joined; ${context()}`);
      await sleep(100);
    }
    const victim = randInt(rng, 0, members - 1);
    const delayMs = Math.floor(rng() * 2000);
    await sleep(delayMs);
    sinks[victim]!.kill('SIGKILL');
    expect((await exited(sinks[victim]!)).signal).toBe('SIGKILL');
    await sleep(500);
    const produced = await producer.stop();
    process.stderr.write(
      `sink-group: ${members} members, member ${victim} SIGKILLed ${delayMs} ms after all joined; ${produced} records\n`,
    );

    // The survivors take the victim's partitions over (after its session timeout) and, every
    // record being in a full object, commit every partition up to its high watermark.
    let seen = await offsets(group, topic);
    const t1 = Date.now();
    while (seen.committed.some((c, p) => c !== seen.high[p])) {
      if (Date.now() - t1 > 30_000) {
        throw new Error(`not all committed: ${JSON.stringify(seen)}; ${context()}`);
      }
      await sleep(250);
      seen = await offsets(group, topic);
    }
    expect(seen.high.reduce((a, b) => a + b, 0)).toBe(produced);

    for (let m = 0; m < members; m++) {
      if (m === victim) continue;
      sinks[m]!.kill('SIGTERM');
      expect((await exited(sinks[m]!)).code, context()).toBe(0);
    }
    const root = `${topicsRoot({ prefix, topicsDir: profile.s3.topicsDir, errorsDir: 'errors' })}/`;
    const { records } = await readStoredRecords(s3, bucket, root);
    const cmp = compareWithLog(await readKafkaLog(profile, topic), records);
    expect(cmp, `seed ${SEED}`).toMatchObject({
      logRecords: produced,
      storedLines: produced,
      missing: [],
      duplicated: 0,
      mismatched: [],
      unknown: 0,
    });
  });
});
