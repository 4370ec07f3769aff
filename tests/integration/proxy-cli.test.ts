import { spawn } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testProfile } from '../helpers/profile.ts';
import { consumeBack, JSON_V2, rawRequest, uniqueTopics } from './proxy-helpers.ts';

/** `pinpipe proxy` as a process: prints its URL, and on SIGTERM answers what is in flight, then exits 0. */
const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('pinpipe proxy (CLI)', { timeout: 120_000 }, () => {
  const profile = testProfile();
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;

  beforeAll(async () => {
    topics = await uniqueTopics(profile, ['cli']);
  });
  afterAll(async () => {
    await topics?.[Symbol.asyncDispose]();
  });

  it('drains requests in flight on SIGTERM and exits 0', async () => {
    const topic = topics.names[0]!;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pinpipe.mjs'), 'proxy', '--port', '0'], {
      cwd: ROOT,
      // a long linger keeps the requests in flight when SIGTERM arrives
      env: { ...process.env, PINPIPE_PROXY__LINGER_MS: '1000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /^(http:\/\/\S+)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${stderr}`)));
    });
    const sent: Array<Promise<void>> = [];
    const inflight = Array.from({ length: 10 }, (_, i) => {
      let done!: () => void;
      sent.push(new Promise<void>((r) => (done = r)));
      return rawRequest(`${url}/topics/${topic}`, {
        method: 'POST',
        headers: { 'content-type': JSON_V2 },
        body: JSON.stringify({ records: [{ value: { cli: i } }] }),
        onSent: done,
      });
    });
    // every request is on the wire; the drain must answer them all, however soon SIGTERM follows
    await Promise.all(sent);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const answers = await Promise.all(inflight);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const [code] = await exited;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/REST proxy stopped after 10 request\(s\), 10 record\(s\)/);
    const back = await consumeBack(profile, topic, 10);
    expect(back.map((m) => (JSON.parse(m.value) as { cli: number }).cli).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
  });
});
