import { afterAll, describe, expect, it } from 'vitest';
import { crashSinkArgs } from '../../testkit/sink-crash.ts';
import type { SinkFaultPoint } from '../../src/sink/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { exitWithin, sinkKit } from '../helpers/sink-kit.ts';
import { tcpGate } from '../../testkit/tcp-gate.ts';
import { waitFor } from '../helpers/wait.ts';

// The sink's crash windows hit by design: PINPIPE_SINK_FAULT_POINT makes the sink SIGKILL itself
// exactly at one named point (src/sink/fault-points.ts). Each case checks first that the kill landed
// in its window (what S3 and the group's committed offsets show at that instant), then restarts the
// sink with --drain and checks S3 against Kafka's log exactly: nothing missing, duplicated or changed.

const profile = testProfile();
const kit = sinkKit(profile);
const FLUSH = 10;

afterAll(async () => {
  await kit.cleanup();
});

/** Runs the sink armed at `point` until it kills itself there; returns what it printed. */
async function killedAt(point: SinkFaultPoint, args: string[], env: Record<string, string> = {}) {
  const { child, output } = kit.spawn(args, { PINPIPE_SINK_FAULT_POINT: point, ...env });
  const { signal } = await exitWithin(child, 60_000, output);
  expect(signal, output()).toBe('SIGKILL');
  expect(output()).toContain(`fault point ${point} armed (tests only)`);
  expect(output()).toContain(`sink fault point ${point} reached`);
  return output();
}

/** After the kill: a sink with no fault point drains, then S3 holds exactly Kafka's log. */
async function restartAndCheck(topic: string, group: string, prefix: string, records: number) {
  const { child, output } = kit.spawn([...crashSinkArgs(topic, group, prefix, FLUSH), '--drain']);
  const { code } = await exitWithin(child, 60_000, output);
  expect(code, output()).toBe(0);
  expect(await kit.committed(group, topic)).toEqual(await kit.storedUpTo(topic, prefix));
  await kit.expectExactlyOnce(topic, prefix, records);
}

describe(
  'sink fault points: SIGKILL in each crash window, then S3 equals the Kafka log',
  { timeout: 150_000 },
  () => {
    it('after an upload and before its commit: the objects are in S3, their offsets not committed', async () => {
      const { topic, group, prefix } = await kit.fixture('fp-upload');
      await kit.produce(topic, 0, 25);
      await killedAt('after-upload-before-commit', crashSinkArgs(topic, group, prefix, FLUSH));
      const committed = (await kit.committed(group, topic)).map((o) => Math.max(0, o));
      const stored = await kit.storedUpTo(topic, prefix);
      // the window: some partition has more in S3 than its committed offset says
      expect(
        stored.some((s, p) => s > committed[p]!),
        `stored ${stored}, committed ${committed}`,
      ).toBe(true);
      await restartAndCheck(topic, group, prefix, 75);
    });

    it('after a commit and before the next fetch: committed equals what S3 holds', async () => {
      const { topic, group, prefix } = await kit.fixture('fp-commit');
      await kit.produce(topic, 0, 25);
      await killedAt('after-commit-before-fetch', crashSinkArgs(topic, group, prefix, FLUSH));
      const committed = await kit.committed(group, topic);
      const stored = await kit.storedUpTo(topic, prefix);
      // the window: a commit was made (20 of 25: the open object of 5 stays uncommitted) and never passes S3
      expect(committed.filter((o) => o > 0).length, `committed ${committed}`).toBeGreaterThan(0);
      for (let p = 0; p < 3; p++)
        if (committed[p]! >= 0) expect(committed[p]).toBeLessThanOrEqual(stored[p]!);
      await restartAndCheck(topic, group, prefix, 75);
    });

    it('between two objects of one flush: the first is in S3, the second not, nothing committed past either', async () => {
      const { topic, group, prefix } = await kit.fixture('fp-between');
      await kit.produce(topic, 0, 25);
      const out = await killedAt('between-objects', crashSinkArgs(topic, group, prefix, FLUSH));
      expect(out).toMatch(/reached \(1 of [2-9] writes stored/);
      const committed = (await kit.committed(group, topic)).map((o) => Math.max(0, o));
      const stored = await kit.storedUpTo(topic, prefix);
      // one partition's flush of two objects stopped after the first: 10 stored, 0 committed
      expect(
        stored.some((s, p) => s === FLUSH && committed[p] === 0),
        `stored ${stored}, committed ${committed}`,
      ).toBe(true);
      await restartAndCheck(topic, group, prefix, 75);
    });

    it('during a rebalance that revokes the partitions while a store runs: nothing of that store committed', async () => {
      const { topic, group, prefix } = await kit.fixture('fp-revoke');
      await kit.produce(topic, 0, 25);
      // S3 holds every PutObject, so the store is running when another member joins the group
      const gate = await tcpGate(new URL(profile.aws.endpoint!), 'hold-put');
      kit.gates.push(gate);
      const { child, output } = kit.spawn(
        [...crashSinkArgs(topic, group, prefix, FLUSH), '--upload-retry-ms', '60000'],
        { PINPIPE_SINK_FAULT_POINT: 'during-revoke', PINPIPE_AWS__ENDPOINT: gate.url },
      );
      await waitFor(() => gate.held, { timeoutMs: 30_000, what: 'a PutObject held by the gate' });
      const other = await kit.otherMember(group, topic);
      const { signal } = await exitWithin(child, 60_000, output);
      expect(signal, output()).toBe('SIGKILL');
      expect(output()).toContain('sink fault point during-revoke reached');
      await other.leave();
      // the window: the store never reached S3 and nothing was committed
      expect((await kit.committed(group, topic)).map((o) => Math.max(0, o))).toEqual([0, 0, 0]);
      expect(await kit.storedUpTo(topic, prefix)).toEqual([0, 0, 0]);
      await restartAndCheck(topic, group, prefix, 75);
    });
  },
);
