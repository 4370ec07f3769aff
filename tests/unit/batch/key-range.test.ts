import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { parseObjectKey } from '../../../src/sink/keys.ts';
import { FIXTURES, runOnFolder, type FixtureRun } from './helpers.ts';

/**
 * Sink keys whose partition or offset is out of range (a partition over Kafka's int32, an offset
 * past 2^53) are not sink keys: skipped and counted, never a failed batch.
 */
describe('object keys out of range', { timeout: 60_000 }, () => {
  const runs: FixtureRun[] = [];
  const dirs: string[] = [];
  afterAll(() => {
    for (const r of runs) fs.rmSync(r.dir, { recursive: true, force: true });
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('parseObjectKey refuses a partition over 2147483647 and an offset over 2^53', () => {
    const key = (p: string, o: string) => `topics/t/partition=${p}/t+${p}+${o}.json`;
    expect(parseObjectKey(key('2147483647', '0000000000'))).toEqual({
      topic: 't',
      partition: 2147483647,
      startOffset: 0,
    });
    expect(parseObjectKey(key('2147483648', '0000000000'))).toBeUndefined();
    expect(parseObjectKey(key('99999999999', '0000000000'))).toBeUndefined();
    expect(parseObjectKey(key('0', '9007199254740992'))).toBeUndefined();
  });

  it('a batch over a folder holding such keys loads the rest and counts them as ignored', async () => {
    const source = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-keyrange-'));
    dirs.push(source);
    fs.cpSync(path.join(FIXTURES, 'main'), source, { recursive: true });
    const pinDir = path.join(source, 'topics', '0e7ae8feb921.pin');
    const sample = fs.readFileSync(
      path.join(pinDir, 'partition=0', fs.readdirSync(path.join(pinDir, 'partition=0'))[0]!),
    );
    for (const p of ['99999999999', '2147483648']) {
      fs.mkdirSync(path.join(pinDir, `partition=${p}`));
      fs.writeFileSync(path.join(pinDir, `partition=${p}`, `0e7ae8feb921.pin+${p}+0000000000.json`), sample);
    }
    const run = await runOnFolder(source);
    runs.push(run);
    expect(run.summary.objects.ignored).toBe(2);
    expect(run.summary.rows).toMatchObject({ pin: 12, geo: 12, user: 12 });
  });

  it('the Spark engine skips the same keys (sink_match takes none of them)', () => {
    const script = [
      'import sys',
      'sys.path.insert(0, sys.argv[1])',
      'import pinpipe_batch_spark as m',
      'pattern = m.sink_key_pattern("t.pin")',
      'for p, o in (("0", "0000000000"), ("2147483647", "0000000000"), ("2147483648", "0000000000"),',
      '             ("99999999999", "0000000000"), ("0", "9007199254740991"), ("0", "9007199254740992")):',
      '    key = f"topics/t.pin/partition={p}/t.pin+{p}+{o}.json"',
      '    print(p, o, 1 if m.sink_match(pattern, key) else 0)',
    ].join('\n');
    const r = spawnSync('python3', ['-c', script, path.resolve(import.meta.dirname, '../../../spark')], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([
      '0 0000000000 1',
      '2147483647 0000000000 1',
      '2147483648 0000000000 0',
      '99999999999 0000000000 0',
      '0 9007199254740991 1',
      '0 9007199254740992 0',
    ]);
  });
});
