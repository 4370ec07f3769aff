import { cp, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPinpipeError } from '../../../src/errors.ts';
import { latestResultsDir } from '../../../src/report/locate.ts';
import { readResults } from '../../../src/report/read-results.ts';
import { pickRunDate, reportKey, writeReport } from '../../../src/report/write-report.ts';
import { FIXTURE_DIR } from './html-helpers.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pinpipe-report-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown>, code: string, text: RegExp) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isPinpipeError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
  expect((err as Error).message).toMatch(text);
}

describe('readResults', () => {
  it('reads the nine results and the summary', async () => {
    const { results, summary } = await readResults(FIXTURE_DIR);
    expect(Object.keys(results)).toHaveLength(9);
    expect(results.popular_category_by_year).toHaveLength(5);
    expect(summary).toMatchObject({ runDate: '2026-11-25' });
  });

  it('fails with what to do on a missing folder, an empty folder and bad JSON', async () => {
    await expectCode(readResults(path.join(tmp, 'nope')), 'REPORT_FAILED', /pinpipe batch/);
    const empty = path.join(tmp, 'empty');
    await mkdir(empty);
    await expectCode(readResults(empty), 'REPORT_FAILED', /No result files/);
    const bad = path.join(tmp, 'bad');
    await mkdir(bad);
    await writeFile(path.join(bad, 'users_joined_by_year.json'), '[{"post_year": 20');
    await expectCode(readResults(bad), 'REPORT_FAILED', /not valid JSON/);
  });
});

describe('latestResultsDir', () => {
  it('picks the most recently written run folder', async () => {
    const root = path.join(tmp, 'results');
    for (const [name, age] of [
      ['2026-11-23', 300],
      ['2026-11-25', 200],
      ['2026-11-24', 100],
    ] as const) {
      await cp(FIXTURE_DIR, path.join(root, name), { recursive: true });
      const t = new Date(Date.now() - age * 1000);
      await utimes(path.join(root, name, 'summary.json'), t, t);
    }
    await mkdir(path.join(root, 'not-a-run'));
    expect(await latestResultsDir(root)).toBe(path.join(root, '2026-11-24'));
  });

  it('accepts results written straight into the root, and says when there are none', async () => {
    expect(await latestResultsDir(FIXTURE_DIR)).toBe(FIXTURE_DIR);
    await expectCode(latestResultsDir(path.join(tmp, 'none')), 'REPORT_FAILED', /does not exist/);
    await mkdir(path.join(tmp, 'bare'));
    await expectCode(latestResultsDir(path.join(tmp, 'bare')), 'REPORT_FAILED', /No results in/);
  });
});

describe('writeReport without upload', () => {
  it('writes report.html next to the results', async () => {
    const dir = path.join(tmp, 'run');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    const out = await writeReport({ resultsDir: dir, now: new Date('2026-11-25T18:00:00Z') });
    expect(out).toMatchObject({ file: path.join(dir, 'report.html'), results: 9, runDate: '2026-11-25' });
    expect(out.s3Key).toBeUndefined();
    const html = await readFile(out.file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('generated 2026-11-25T18:00:00.000Z');
  });

  it('writes to --out, creating its folder', async () => {
    const file = path.join(tmp, 'a', 'b', 'r.html');
    const out = await writeReport({ resultsDir: FIXTURE_DIR, outFile: file, runDate: '2026-01-02' });
    expect(out.file).toBe(file);
    expect(await readFile(file, 'utf8')).toContain('pinpipe report — 2026-01-02');
  });
});

describe('pickRunDate', () => {
  const now = new Date('2026-11-25T23:59:00Z');
  it('prefers the flag, then summary.json, then a dated folder, then today', () => {
    expect(pickRunDate('2026-01-01', { runDate: '2025-05-05' }, '/r/2024-04-04', now)).toBe('2026-01-01');
    expect(pickRunDate(undefined, { runDate: '2025-05-05' }, '/r/2024-04-04', now)).toBe('2025-05-05');
    expect(pickRunDate(undefined, undefined, '/r/2024-04-04', now)).toBe('2024-04-04');
    expect(pickRunDate(undefined, { runDate: 5 }, '/r/latest', now)).toBe('2026-11-25');
    expect(reportKey('2026-11-25')).toBe('reports/2026-11-25/report.html');
  });
  it('refuses a run date that is not a date (it becomes an S3 key)', () => {
    expect(() => pickRunDate('../x', undefined, '/r', now)).toThrow(/YYYY-MM-DD/);
  });
});
