import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { deletePrefix, sinkArgs, spawnSink } from '../../testkit/sink-crash.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { runSink } from '../../src/sink/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { exitWithin, sinkKit } from '../helpers/sink-kit.ts';
import { tcpGate } from '../../testkit/tcp-gate.ts';

// The sink under S3 and group faults: a stalled S3 endpoint (a TCP gate in front of the sandbox's
// S3 that accepts and never answers), the bucket vanishing, a rebalance during the final flush of
// --drain, and --drain next to another member of its group. Every case ends by checking S3
// against the Kafka log: nothing committed that was not stored, nothing stored twice.

const profile = testProfile();
const bucket = profile.s3.bucket;
const kit = sinkKit(profile);
const { admin, s3, gates, children } = kit;
const { fixture, produce, committed, storedUpTo, expectExactlyOnce, spawn } = kit;
const logger = createLogger('error');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  seen: () => unknown,
) {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`${what}: not reached within ${timeoutMs} ms (seen: ${JSON.stringify(await seen())})`);
    }
    await sleep(100);
  }
}

/**
 * Waits until the broker has shown `group` Stable with the same single member, poll after poll, for
 * `ms`; fails as soon as it shows anything else (a member expired, a rebalance) or after `timeoutMs`.
 */
async function stableLongerThan(group: string, ms: number, timeoutMs: number) {
  const t0 = Date.now();
  let since: number | undefined;
  let member: string | undefined;
  const seen: string[] = [];
  for (;;) {
    const g = (await admin.describeGroups({ groups: [group] })).get(group);
    const members = [...(g?.members.values() ?? [])];
    const now = `${g?.state} [${members.map((m) => m.id).join(', ')}]`;
    if (seen.at(-1) !== now) seen.push(now);
    const one = g?.state === 'Stable' && members.length === 1 ? members[0]!.id : undefined;
    if (member === undefined && one !== undefined) {
      member = one;
      since = Date.now();
    } else if (member !== undefined && one !== member) {
      throw new Error(
        `group ${group} left its stable state after ${Date.now() - since!} ms: ${seen.join(' → ')}`,
      );
    }
    if (since !== undefined && Date.now() - since >= ms) return;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`group ${group} not stable for ${ms} ms: ${seen.join(' → ')}`);
    await sleep(250);
  }
}

afterAll(async () => {
  await kit.cleanup();
});

describe('sink faults', { timeout: 60_000 }, () => {
  it('an S3 endpoint that never answers at start: exit 3 S3_UNAVAILABLE within --upload-retry-ms', async () => {
    const { topic, group, prefix } = await fixture('sink-hung-start');
    const hole = await tcpGate(undefined, 'hold');
    gates.push(hole);
    const t0 = Date.now();
    const { child, output } = spawn(sinkArgs(topic, group, prefix, '--drain', '--upload-retry-ms', '3000'), {
      PINPIPE_AWS__ENDPOINT: hole.url,
    });
    const { code } = await exitWithin(child, 20_000, output);
    process.stderr.write(`hung S3 at start: exit ${code} after ${Date.now() - t0} ms\n`);
    expect(code).toBe(3);
    expect(output()).toContain('S3_UNAVAILABLE');
    expect(output()).toContain(`Cannot reach bucket ${bucket}: no answer within 3 s`);
    expect(hole.held).toBeGreaterThan(0);
  });

  it('S3 stalls mid-run: SINK_UPLOAD_FAILED (exit 1) at the deadline, nothing committed beyond what is stored', async () => {
    const { topic, group, prefix } = await fixture('sink-hung');
    const gate = await tcpGate(new URL(profile.aws.endpoint!));
    gates.push(gate);
    await produce(topic, 0, 30);
    const { child, output } = spawn(
      [
        ...sinkArgs(topic, group, prefix, '--flush-size', '10'),
        ...['--upload-retry-ms', '4000', '--progress-ms', '0'],
      ],
      { PINPIPE_AWS__ENDPOINT: gate.url },
    );
    await waitFor(
      '30 records committed per partition',
      async () => (await committed(group, topic)).every((o) => o === 30),
      30_000,
      () => committed(group, topic),
    );

    gate.mode = 'hold';
    const t0 = Date.now();
    await produce(topic, 1000, 10);
    const { code } = await exitWithin(child, 25_000, output);
    process.stderr.write(`S3 stalled mid-run: exit ${code} ${Date.now() - t0} ms after the stall\n`);
    expect(code).toBe(1);
    expect(output()).toContain('SINK_UPLOAD_FAILED');
    expect(output()).toContain('within 4 s (--upload-retry-ms): no answer within the deadline');
    expect(gate.held).toBeGreaterThan(0);
    // committed never passes what S3 holds
    expect(await committed(group, topic)).toEqual([30, 30, 30]);
    expect(await storedUpTo(topic, prefix)).toEqual([30, 30, 30]);

    const summary = await runSink({
      profile,
      topics: [topic],
      groupId: group,
      prefix,
      flushSize: 10,
      drain: true,
      logger,
    });
    expect(summary).toMatchObject({ stoppedBy: 'drain', recordsWritten: 30, lag: 0 });
    await expectExactlyOnce(topic, prefix, 120);
  });

  it('a store stuck longer than the session timeout keeps the member in its group (heartbeats during the store)', async () => {
    const { topic, group, prefix } = await fixture('sink-slow');
    const gate = await tcpGate(new URL(profile.aws.endpoint!), 'hold-put');
    gates.push(gate);
    await produce(topic, 0, 10);
    const controller = new AbortController();
    const running = runSink({
      // one request may hang 10 s, longer than the 6 s session: only heartbeats during the store keep the member
      profile: {
        ...profile,
        aws: { ...profile.aws, endpoint: gate.url },
        s3: { ...profile.s3, requestTimeoutMs: 10_000 },
      },
      topics: [topic],
      groupId: group,
      prefix,
      flushSize: 10,
      sessionTimeoutMs: 6000,
      uploadRetryMs: 60_000,
      progressIntervalMs: 0,
      signal: controller.signal,
      logger,
    });
    try {
      await waitFor(
        'a PutObject is stuck',
        () => gate.held > 0,
        20_000,
        () => gate.held,
      );
      // The fault: S3 silent for longer than the session timeout. Without heartbeats during the
      // store the coordinator would expire the member after 6 s; the broker must instead show the
      // group Stable with this one member, continuously, for longer than that (polled, and red at
      // once if the group leaves that state).
      await stableLongerThan(group, 6000 + 2000, 30_000);
      gate.mode = 'pass';
      await waitFor(
        '10 records committed per partition',
        async () => (await committed(group, topic)).every((o) => o === 10),
        30_000,
        () => committed(group, topic),
      );
    } finally {
      controller.abort();
    }
    const summary = await running;
    expect(summary).toMatchObject({
      rebalances: 0,
      commitsSkipped: 0,
      recordsWritten: 30,
      stoppedBy: 'signal',
    });
    await expectExactlyOnce(topic, prefix, 30);
  });

  it('the bucket disappearing mid-run: S3_BUCKET_MISSING, the commits stop where the bucket went', async () => {
    const { topic, group } = await fixture('sink-vanish');
    const vanishing = uniqueName('sink-vanish-bucket');
    await s3.send(new CreateBucketCommand({ Bucket: vanishing }));
    const controller = new AbortController();
    await produce(topic, 0, 20);
    const running = runSink({
      profile: { ...profile, s3: { ...profile.s3, createBucket: false } },
      topics: [topic],
      groupId: group,
      bucket: vanishing,
      flushSize: 10,
      uploadRetryMs: 30_000,
      progressIntervalMs: 0,
      signal: controller.signal,
      logger,
    }).catch((e: unknown) => e);
    try {
      await waitFor(
        '20 records committed per partition',
        async () => (await committed(group, topic)).every((o) => o === 20),
        30_000,
        () => committed(group, topic),
      );
      await deletePrefix(s3, vanishing, '');
      await s3.send(new DeleteBucketCommand({ Bucket: vanishing }));
      await produce(topic, 1000, 10);
      const err = await Promise.race([running, sleep(20_000).then(() => 'still running after 20 s')]);
      expect(isPinpipeError(err, 'S3_BUCKET_MISSING')).toBe(true);
      expect((err as Error).message).toContain(`Bucket ${vanishing} disappeared while the sink was writing`);
      expect(await committed(group, topic)).toEqual([20, 20, 20]);
    } finally {
      controller.abort();
      await running;
      await deletePrefix(s3, vanishing, '').catch(() => 0);
      await s3.send(new DeleteBucketCommand({ Bucket: vanishing })).catch(() => undefined);
    }
  });

  it('--drain refuses while another sink member runs in its group (SINK_GROUP_BUSY, exit 1); the member goes on', async () => {
    const { topic, group, prefix } = await fixture('sink-busy');
    await produce(topic, 0, 15);
    let joined = 0;
    const member = spawnSink(
      sinkArgs(topic, group, prefix, '--flush-size', '10', '--progress-ms', '0'),
      (l) => {
        if (l.includes('joined group')) joined++;
      },
    );
    children.push(member);
    await waitFor(
      'the member joined',
      () => joined > 0,
      20_000,
      () => joined,
    );
    await waitFor(
      '10 records committed per partition',
      async () => (await committed(group, topic)).every((o) => o === 10),
      20_000,
      () => committed(group, topic),
    );

    const { child, output } = spawn(sinkArgs(topic, group, prefix, '--flush-size', '10', '--drain'));
    const { code } = await exitWithin(child, 30_000, output);
    expect(code).toBe(1);
    expect(output()).toContain('SINK_GROUP_BUSY');
    expect(output()).toContain(
      `--drain needs consumer group ${group} to itself, but 1 other member(s) are in it`,
    );

    await produce(topic, 1000, 5);
    await waitFor(
      'the member stored the new records (20 per partition)',
      async () => (await committed(group, topic)).every((o) => o === 20),
      30_000,
      () => committed(group, topic),
    );
    member.kill('SIGTERM');
    expect((await exitWithin(member, 20_000, () => '')).code).toBe(0);
    expect(await committed(group, topic)).toEqual([20, 20, 20]);
    await expectExactlyOnce(topic, prefix, 60);
  });

  it('a rebalance during the final flush of --drain: the commit is skipped and counted, nothing is committed, then drained exactly once', async () => {
    const { topic, group, prefix } = await fixture('sink-final');
    const gate = await tcpGate(new URL(profile.aws.endpoint!));
    gates.push(gate);
    await produce(topic, 0, 20);
    let joined = false;
    let out = '';
    // flush.size above the input: every record waits for the final flush of --drain, whose
    // PutObjects the gate holds (HeadBucket at start passes)
    gate.mode = 'hold-put';
    const drain = spawnSink(
      [
        ...sinkArgs(topic, group, prefix, '--flush-size', '1000', '--drain'),
        ...['--upload-retry-ms', '60000', '--progress-ms', '0'],
      ],
      (l) => {
        out += `${l}\n`;
        if (l.includes('joined group')) joined = true;
      },
      { PINPIPE_AWS__ENDPOINT: gate.url },
    );
    children.push(drain);
    await waitFor(
      'the drain joined its group',
      () => joined,
      20_000,
      () => out,
    );
    await waitFor(
      'the final flush is stuck on S3',
      () => gate.held > 0,
      20_000,
      () => out,
    );

    const other = await kit.otherMember(group, topic);

    const { code } = await exitWithin(drain, 40_000, () => out);
    expect(code, out).toBe(1);
    expect(out).toContain('commit after the final flush skipped: the group rebalanced');
    expect(out).toContain('final flush or commit interrupted');
    expect(out).toContain('SINK_GROUP_BUSY');
    // nothing committed past offset 0: a batch of the new generation may commit the open object's start
    expect((await committed(group, topic)).map((o) => Math.max(0, o))).toEqual([0, 0, 0]);

    await other.leave();
    const summary = await runSink({
      profile,
      topics: [topic],
      groupId: group,
      prefix,
      flushSize: 1000,
      drain: true,
      logger,
    });
    expect(summary).toMatchObject({ stoppedBy: 'drain', recordsWritten: 60, commitsSkipped: 0, lag: 0 });
    expect(await committed(group, topic)).toEqual([20, 20, 20]);
    await expectExactlyOnce(topic, prefix, 60);
  });
});
