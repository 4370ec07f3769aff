import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { portOpen } from '../../sandbox/lib/proc.ts';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import { topicOffsets } from '../../src/clients/kafka-topics.ts';
import { topicNames, type Profile } from '../../src/config/index.ts';
import { waitFor } from '../helpers/wait.ts';
import { cleanupPipeline, isolatedPipelineEnv, profileFor } from '../helpers/isolated.ts';
import { ROOT, runTs } from '../helpers/run.ts';
import { privateSandboxEnv } from '../../testkit/private-sandbox.ts';
import { referenceResults } from '../helpers/batch-reference.ts';
import { readKafkaLog } from '../../testkit/kafka-log.ts';

// docs/spec.md#result-table: result names and their columns, written out independently of the implementation.
const RESULT_COLUMNS: Record<string, string[]> = {
  popular_category_by_country: ['country', 'category', 'category_count'],
  popular_category_by_year: ['post_year', 'category', 'category_count'],
  top_user_by_country: ['country', 'poster_name', 'follower_count'],
  top_country_by_followers: ['country', 'follower_count'],
  popular_category_by_age_group: ['age_group', 'category', 'category_count'],
  median_followers_by_age_group: ['age_group', 'median_follower_count'],
  users_joined_by_year: ['post_year', 'number_users_joined'],
  median_followers_by_join_year: ['post_year', 'median_follower_count'],
  median_followers_by_join_year_and_age_group: ['age_group', 'post_year', 'median_follower_count'],
};

/** Records per topic in Kafka (sum over partitions of high − low). */
async function kafkaRecords(profile: Profile): Promise<Record<'pin' | 'geo' | 'user', number>> {
  const admin = createKafkaAdmin(profile);
  try {
    const names = topicNames(profile);
    const count = async (t: string) =>
      (await topicOffsets(admin, t)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    return { pin: await count(names.pin), geo: await count(names.geo), user: await count(names.user) };
  } finally {
    await admin.close();
  }
}

describe('npm run demo, end to end on the real sandbox', { timeout: 300_000 }, () => {
  // Each test runs on a pipeline of its own (topics, bucket, REST API, batch folder).
  const envs: Array<Record<string, string>> = [];
  const newEnv = async (tag: string) => {
    const env = await isolatedPipelineEnv(tag);
    envs.push(env);
    return env;
  };
  afterAll(async () => {
    for (const env of envs) await cleanupPipeline(env);
  });

  it('runs every stage, prints the analytics, writes the report and reconciles', async () => {
    const env = await newEnv('e2e');
    const r = await runTs('scripts/demo.ts', ['--count', '250', '--seed', '11'], { env });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    for (let step = 1; step <= 7; step++)
      expect(r.stderr).toMatch(new RegExp(`\\[${step}/7\\] .*: done in [0-9.]+ s`));
    expect(r.stdout).toMatch(/reconciliation: every record is accounted for/);
    const profile = profileFor(env);
    const reconRows = r.stdout.split('\n').filter((l) => l.startsWith(`${profile.pipelineId}.`));
    expect(reconRows).toHaveLength(3);
    for (const row of reconRows) {
      const cells = row.trim().split(/\s+/);
      // topic, sent, kafka, s3, s3 errors/, quarantined, dup posts, clean rows, verdict
      expect(cells[1]).toBe('250');
      expect(cells[2]).toBe('250');
      expect(cells[3]).toBe('250');
      expect(Number(cells[7])).toBe(250 - Number(cells[5]) - Number(cells[6]));
      expect(cells[8]).toBe('ok');
    }

    const results = path.join(profile.batch.workDir, 'results');
    for (const [name, columns] of Object.entries(RESULT_COLUMNS)) {
      const rows = JSON.parse(fs.readFileSync(path.join(results, `${name}.json`), 'utf8')) as Record<
        string,
        unknown
      >[];
      expect(rows.length, name).toBeGreaterThan(0);
      for (const row of rows) expect(Object.keys(row), name).toEqual(columns);
      expect(r.stdout).toContain(`(${name})`);
    }
    // The values: the nine results equal the reference computation (tests/helpers/batch-reference.ts,
    // plain TypeScript from the spec) over the same records, read back from Kafka.
    const names = topicNames(profile);
    const raw = {
      pin: (await readKafkaLog(profile, names.pin)).map((r) => ({ ...r, value: r.value ?? '' })),
      geo: (await readKafkaLog(profile, names.geo)).map((r) => ({ ...r, value: r.value ?? '' })),
      user: (await readKafkaLog(profile, names.user)).map((r) => ({ ...r, value: r.value ?? '' })),
    };
    expect([raw.pin.length, raw.geo.length, raw.user.length]).toEqual([250, 250, 250]);
    const reference = referenceResults(raw);
    for (const name of Object.keys(RESULT_COLUMNS)) {
      const rows = JSON.parse(fs.readFileSync(path.join(results, `${name}.json`), 'utf8')) as unknown;
      expect({ name, rows }).toEqual({ name, rows: reference[name] });
    }
    const summary = JSON.parse(fs.readFileSync(path.join(results, 'summary.json'), 'utf8')) as {
      rows: Record<string, number>;
    };
    // One clean row per distinct post: the three tables agree.
    expect(summary.rows.pin).toBe(summary.rows.geo);
    expect(summary.rows.geo).toBe(summary.rows.user);
    const report = path.join(results, 'report.html');
    expect(fs.readFileSync(report, 'utf8')).toMatch(/<svg[^>]*class="chart[ "]/);
    expect(r.stderr).toContain(report);
    // The proxy the demo started is gone.
    expect(await portOpen(Number(env.PINPIPE_PROXY__PORT))).toBe(false);

    // A second run on the same data reconciles its own run: 50 sent, 50 in Kafka, 50 in S3.
    const again = await runTs('scripts/demo.ts', ['--count', '50'], { env });
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${profile.pipelineId}\\.pin\\s+50\\s+50\\s+50\\s`));
  });

  it('pinpipe run streams live until Ctrl-C; status and verify agree with it', async () => {
    // A pipeline that has been through one demo (so a batch ran), then live records on top of it.
    const env = await newEnv('e2erun');
    const setup = await runTs('scripts/demo.ts', ['--count', '30', '--seed', '12'], { env });
    expect(setup.code, setup.stderr.slice(-2000)).toBe(0);
    const profile = profileFor(env);
    const before = await kafkaRecords(profile);
    expect(before).toEqual({ pin: 30, geo: 30, user: 30 });
    const run = spawn(process.execPath, [path.join(ROOT, 'bin/pinpipe.mjs'), 'run', '--rate', '15'], {
      cwd: ROOT,
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => run.on('close', resolve));
    await waitFor(() => stderr, {
      timeoutMs: 60_000,
      what: 'the sink of `pinpipe run` to join its group',
      done: (text) => /joined group/.test(text),
    });
    // live records arrive: at least 30 more per topic than the demo left
    await waitFor(() => kafkaRecords(profile), {
      timeoutMs: 60_000,
      what: '30 new records per topic from `pinpipe run`',
      done: (n) => n.pin >= before.pin + 30 && n.geo >= before.geo + 30 && n.user >= before.user + 30,
    });
    run.kill('SIGINT');
    expect(await exited, stderr.slice(-2000)).toBe(0);
    expect(stderr).toMatch(/sink stopped \(signal\).*lag 0/);

    const status = await runTs('bin/pinpipe.mjs', ['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    const st = JSON.parse(status.stdout) as {
      topics: Record<string, { records: number; sinkLag: number; objects: number }>;
      emulated: { acknowledged: Record<string, number> };
    };
    for (const k of ['pin', 'geo', 'user']) {
      expect(st.topics[k]!.sinkLag).toBe(0);
      expect(st.topics[k]!.records).toBe(st.emulated.acknowledged[k]);
      expect(st.topics[k]!.records).toBeGreaterThanOrEqual(before[k as 'pin'] + 30);
    }
    // The batch has not seen the new records yet: verify counts them in flight (exit 0), verify
    // --caught-up says to run the batch (exit 4); after a batch both pass.
    const stale = await runTs('bin/pinpipe.mjs', ['verify'], { env });
    expect(stale.code, stale.stdout).toBe(0);
    expect(stale.stdout).toMatch(/stored record\(s\) not read by the batch yet .*\(in flight\)/);
    const staleCaughtUp = await runTs('bin/pinpipe.mjs', ['verify', '--caught-up'], { env });
    expect(staleCaughtUp.code).toBe(4);
    expect(staleCaughtUp.stdout).toMatch(/run `pinpipe batch` again/);
    const batch = await runTs('bin/pinpipe.mjs', ['batch'], { env });
    expect(batch.code, batch.stderr.slice(-1500)).toBe(0);
    const fresh = await runTs('bin/pinpipe.mjs', ['verify', '--caught-up'], { env });
    expect(fresh.code, fresh.stdout).toBe(0);
    expect(fresh.stdout).toContain('reconciliation: every record is accounted for');
  });

  it('refuses a second demo while one runs, and stops cleanly on Ctrl-C', async () => {
    const env = await newEnv('e2elock');
    const first = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts'), '--count', '20000'],
      {
        cwd: ROOT,
        env: { ...process.env, CI: 'true', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    first.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => first.on('close', resolve));
    // Wait until the first demo is emulating, then try a second one.
    await waitFor(() => /\[3\/7\] emulate/.test(stderr), {
      timeoutMs: 60_000,
      what: 'the first demo to reach [3/7] emulate',
    });

    const second = await runTs('scripts/demo.ts', ['--count', '10'], { env });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Another demo \(npm run demo\) is already running \(pid \d+\)/);

    first.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/stopping cleanly/);
    expect(await portOpen(Number(env.PINPIPE_PROXY__PORT))).toBe(false);
    // The lock is released: the next demo may run.
    expect(fs.existsSync(path.join(profileFor(env).sandbox.dir, 'demo.lock'))).toBe(false);
  });
});

describe('a sandbox service that dies mid-demo', { timeout: 300_000 }, () => {
  it('is named with how to restart it, and the demo stops what it started', async () => {
    // A private sandbox the demo starts itself, so killing its Kafka harms no other test.
    const env: Record<string, string> = await privateSandboxEnv({
      ...(await isolatedPipelineEnv('die')),
      PINPIPE_SANDBOX__SEED_ROWS: '500',
    });
    const dir = env.PINPIPE_SANDBOX__DIR!;
    try {
      const demo = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'scripts/demo.ts'), '--count', '50000'],
        {
          cwd: ROOT,
          env: { ...process.env, CI: 'true', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      demo.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => demo.on('close', resolve));
      await waitFor(() => /\[3\/7\] emulate/.test(stderr), {
        timeoutMs: 150_000,
        what: 'the demo on the private sandbox to reach [3/7] emulate',
      });
      const kafkaPid = Number(fs.readFileSync(path.join(dir, 'kafka', 'kafka.pid'), 'utf8'));
      process.kill(kafkaPid, 'SIGKILL');
      const code = await exited;
      expect(code).toBe(3);
      expect(stderr).toMatch(/Kafka stopped during the run .*npm run sandbox:up/);
      expect(stderr).toMatch(/stopping the sandbox this demo started/);
      const left = spawnSync('pgrep', ['-af', dir], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((l) => l.trim() && !l.includes('pgrep'));
      expect(left).toEqual([]);
    } finally {
      await runTs('scripts/sandbox-down.ts', [], { env });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
