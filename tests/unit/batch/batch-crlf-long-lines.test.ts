import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES } from '../../../src/batch/index.ts';
import { EXPECTED_MAIN } from './expected-main.ts';
import { FIXTURES, runOnFolder, type FixtureRun } from './helpers.ts';

/**
 * The hand-written fixture rewritten with Windows line endings (CRLF) must give the same rows and
 * results as the LF original; a bad line longer than 1,000 characters is quarantined with its
 * first 1,000 characters kept, not the whole line.
 */
const LONG_KEY = 'topics/0e7ae8feb921.pin/partition=0/0e7ae8feb921.pin+0+0000001000.json';
const LONG_LINE = `{"index": 77, "title": "${'x'.repeat(2500)}`; // cut JSON, 2,524 characters
const SHORT_BAD = 'not json';

function copyAsCrlf(from: string, to: string): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      fs.mkdirSync(dst, { recursive: true });
      copyAsCrlf(src, dst);
    } else {
      fs.writeFileSync(dst, fs.readFileSync(src, 'utf8').replace(/\r?\n/g, '\r\n'));
    }
  }
}

describe('batch: CRLF line endings and the quarantine of a very long line', () => {
  let source: string;
  let run: FixtureRun;
  beforeAll(async () => {
    source = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-batch-crlf-'));
    copyAsCrlf(path.join(FIXTURES, 'main'), source);
    const crlfFiles = fs
      .readdirSync(source, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'utf8'));
    // the rewrite really produced CRLF files
    expect(crlfFiles).toHaveLength(9);
    for (const text of crlfFiles) expect(text).toMatch(/\}\r\n/);
    fs.writeFileSync(path.join(source, LONG_KEY), `${LONG_LINE}\r\n${SHORT_BAD}\r\n`);
    run = await runOnFolder(source);
  });
  afterAll(() => {
    fs.rmSync(source, { recursive: true, force: true });
    if (run) fs.rmSync(run.dir, { recursive: true, force: true });
  });

  it('CRLF files load the same rows and give the same results as the LF fixture', () => {
    expect(run.summary.rows).toEqual({ pin: 12, geo: 12, user: 12 });
    for (const name of RESULT_NAMES) expect(run.results[name]).toEqual(EXPECTED_MAIN[name]);
  });

  it('no carriage return reaches a loaded value', async () => {
    const rows = await run.query(
      'SELECT count(*) AS n FROM pin_clean WHERE contains(CAST(to_json(pin_clean) AS VARCHAR), chr(13))',
    );
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('only the two bad lines are quarantined: the long one cut to 1,000 characters, neither with its CR', async () => {
    expect(LONG_LINE.length).toBe(2524);
    expect(run.summary.quarantined.total).toBe(2);
    const rows = await run.query(
      'SELECT key, line_no, "offset", reason, line FROM quarantine ORDER BY line_no',
    );
    expect(rows).toEqual([
      {
        key: LONG_KEY,
        line_no: 0,
        offset: 1000,
        reason: 'not JSON (malformed or truncated)',
        line: LONG_LINE.slice(0, 1000),
      },
      {
        key: LONG_KEY,
        line_no: 1,
        offset: 1001,
        reason: 'not JSON (malformed or truncated)',
        line: SHORT_BAD,
      },
    ]);
  });
});
