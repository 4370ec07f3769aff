import { describe, expect, it } from 'vitest';
import { topicNames } from '../../../src/config/index.ts';
import { TOPIC_KEYS, type TopicKey } from '../../../src/emulator/index.ts';
import { pipelineFigures, type Readings } from '../../../src/console/figures.ts';
import type { KafkaFigures } from '../../../src/console/kafka-source.ts';
import { shippedProfile } from '../../helpers/profile.ts';

const profile = shippedProfile('local');
const names = topicNames(profile);
const perKey = <T>(f: (k: TopicKey) => T) =>
  Object.fromEntries(TOPIC_KEYS.map((k) => [k, f(k)])) as Record<TopicKey, T>;

/** Kafka with two partitions per topic (10 and 5 records), the sink 3 behind on partition 0. */
const kafka: KafkaFigures = {
  perTopic: perKey(() => [
    { partition: 0, low: 0, high: 10, committed: 7, lag: 3 },
    { partition: 1, low: 5, high: 10, committed: 10, lag: 0 },
  ]),
  sink: { state: 'Stable', members: 1 },
  sinkError: undefined,
};

function readings(over: Partial<Readings> = {}): Readings {
  return {
    at: new Date('2026-01-02T03:04:05.000Z'),
    mysql: { value: perKey(() => 4), error: undefined },
    kafka: { value: kafka, error: undefined },
    s3: { value: perKey(() => ({ objects: 2, bytes: 100 })), error: undefined },
    proxy: { value: null, error: undefined },
    sinkSamples: null,
    batch: undefined,
    emulated: { runs: 1, acknowledged: perKey(() => 15) },
    verdict: { state: 'pending' },
    ...over,
  };
}

const states = (r: Readings) =>
  Object.fromEntries(pipelineFigures(profile, r).stages.map((s) => [s.id, s.state]));

describe('pipelineFigures', () => {
  it('sums records, lag and stored objects per topic and over the bucket', () => {
    const f = pipelineFigures(profile, readings());
    expect(f.at).toBe('2026-01-02T03:04:05.000Z');
    expect(f.topics.map((t) => [t.topic, t.records, t.sinkLag, t.s3])).toEqual(
      TOPIC_KEYS.map((k) => [names[k], 15, 3, { objects: 2, bytes: 100 }]),
    );
    expect(f.topics[0]!.offsets).toEqual([
      { partition: 0, low: 0, high: 10 },
      { partition: 1, low: 5, high: 10 },
    ]);
    expect(f.s3).toEqual({ objects: 6, bytes: 300 });
    expect(f.sink).toEqual({ state: 'Stable', members: 1, metrics: null });
    expect(f.lastBatch).toBeNull();
    expect(states(readings())).toEqual({
      mysql: 'up',
      emulator: 'idle',
      gateway: 'up',
      proxy: 'up',
      kafka: 'up',
      sink: 'up',
      s3: 'up',
      batch: 'idle',
      results: 'idle',
    });
  });

  it('marks each failing part down on its own, with the reason and the start command', () => {
    const down = readings({ kafka: { value: undefined, error: new Error('broker gone') } });
    const f = pipelineFigures(profile, down);
    const stage = (id: string) => f.stages.find((s) => s.id === id)!;
    expect(stage('kafka')).toMatchObject({ state: 'down', reason: 'broker gone' });
    expect(stage('sink')).toMatchObject({ state: 'down', reason: 'Kafka is down' });
    expect(stage('mysql').state).toBe('up');
    expect(f.topics.map((t) => [t.records, t.sinkLag, t.partitions])).toEqual(
      TOPIC_KEYS.map(() => [null, null, null]),
    );
    expect(f.sink).toBeNull();
  });

  it('shows the sink down when its group has no member, with the group and its state', () => {
    const idle = readings({
      kafka: { value: { ...kafka, sink: { state: 'Empty', members: 0 } }, error: undefined },
    });
    const sink = pipelineFigures(profile, idle).stages.find((s) => s.id === 'sink')!;
    expect(sink).toMatchObject({
      state: 'down',
      reason: `no consumer in group ${profile.sink.groupId} (Empty)`,
    });
  });
});
