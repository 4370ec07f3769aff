import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseObjectKey } from '../../../src/sink/index.ts';
import { followerCount, referenceResults, type RawRecord } from '../../helpers/batch-reference.ts';
import { EXPECTED_MAIN } from './expected-main.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/batch/main');

/** The records of each topic in a folder of sink objects: offset = the object's start + line number. */
function recordsOf(dir: string): { pin: RawRecord[]; geo: RawRecord[]; user: RawRecord[] } {
  const out = { pin: [] as RawRecord[], geo: [] as RawRecord[], user: [] as RawRecord[] };
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const key = parseObjectKey(file.split(path.sep).join('/'));
    if (!key) continue;
    const kind = key.topic.slice(key.topic.lastIndexOf('.') + 1) as keyof typeof out;
    const lines = fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    lines.forEach((value, i) =>
      out[kind].push({ partition: key.partition, offset: key.startOffset + i, value }),
    );
  }
  return out;
}

describe('the reference computation of the nine results (tests/helpers/batch-reference.ts)', () => {
  it('gives the hand-worked results of the 12-post fixture', () => {
    const raw = recordsOf(FIXTURE);
    expect(raw.pin.length).toBeGreaterThan(12);
    expect(referenceResults(raw)).toEqual(EXPECTED_MAIN);
  });

  it('reads follower counts as the spec says (k, M, decimals rounded half up, placeholders)', () => {
    expect(
      ['8632', '124k', '5M', '1.2k', '1.2345k', '2.5M', '10K', '0.5', 10000, 'User Info Error', '', null].map(
        followerCount,
      ),
    ).toEqual([8632, 124000, 5000000, 1200, 1235, 2500000, 10000, 1, 10000, null, null, null]);
    expect(() => followerCount('lots')).toThrow('would be quarantined');
  });
});
