import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESULT_NAMES, readResults, writeReport } from '../../src/report/index.ts';
import { PROJECT_ROOT } from '../../src/config/index.ts';
import { CHROMIUM_ARGS, chromiumTool } from '../../testkit/machine.ts';

/**
 * Opens the report in headless Chromium (Debian's `chromium`, driven by playwright-core) and checks
 * that every chart rendered, nothing was fetched and nothing complained.
 */
/** Found on PATH by the machine helper (chromium, chromium-browser, google-chrome). */
const CHROMIUM = chromiumTool();
const ARGS = CHROMIUM_ARGS;
const FIXTURE_DIR = path.join(PROJECT_ROOT, 'tests/fixtures/report/results');
/** Git-ignored (out/): the screenshots a human looks at. */
const SHOTS = path.join(PROJECT_ROOT, 'out', 'report');

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  problems: string[];
}

interface ChartFacts {
  result: string;
  visible: boolean;
  width: number;
  height: number;
  rows: number;
  plotted: number;
  marks: number;
  emptyMarks: number;
}

let browser: Browser;
let tmp: string;

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, requests, problems };
}

async function chartFacts(page: Page): Promise<ChartFacts[]> {
  const charts = page.locator('svg.chart');
  const out: ChartFacts[] = [];
  for (let i = 0; i < (await charts.count()); i++) {
    const svg = charts.nth(i);
    await svg.scrollIntoViewIfNeeded();
    const box = await svg.boundingBox();
    const marks = await svg.evaluate((el) =>
      [...el.querySelectorAll('.mark')].map((m) => {
        const r = m.getBoundingClientRect();
        return r.width * r.height;
      }),
    );
    out.push({
      result: (await svg.getAttribute('data-result')) ?? '',
      visible: await svg.isVisible(),
      width: box?.width ?? 0,
      height: box?.height ?? 0,
      rows: Number(await svg.getAttribute('data-rows')),
      plotted: Number(await svg.getAttribute('data-plotted')),
      marks: marks.length,
      emptyMarks: marks.filter((a) => !(a > 0)).length,
    });
  }
  return out;
}

beforeAll(async () => {
  // this file's whole point is the browser: a missing one fails it, on any machine
  if (!CHROMIUM.path) throw new Error(CHROMIUM.missing);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'pinpipe-report-browser-'));
  await mkdir(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM.path, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('the report in headless Chromium', { timeout: 60_000 }, () => {
  it('renders every chart with a mark per plotted row, fetches nothing and logs no error', async () => {
    const dir = path.join(tmp, '2026-11-25');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    const { file } = await writeReport({ resultsDir: dir });
    const { results } = await readResults(dir);
    const { page, url, requests, problems } = await open(file);

    const facts = await chartFacts(page);
    expect(facts.map((f) => f.result).sort()).toEqual([...RESULT_NAMES].sort());
    for (const f of facts) {
      expect(f.visible, f.result).toBe(true);
      expect(f.width, f.result).toBeGreaterThan(100);
      expect(f.height, f.result).toBeGreaterThan(100);
      expect(f.rows, f.result).toBe(results[f.result]!.length);
      // every plotted row is one drawn mark (per-country charts plot the top 15 rows)
      expect(f.marks, f.result).toBe(f.plotted);
      expect(f.marks, f.result).toBeGreaterThanOrEqual(Math.min(f.rows, 1));
      expect(f.emptyMarks, f.result).toBe(0);
    }
    const lineMarks = facts.find((f) => f.result === 'median_followers_by_join_year_and_age_group')!;
    expect(lineMarks.marks).toBe(results.median_followers_by_join_year_and_age_group!.length);

    // escaped text shows as text, not markup
    await expect(page.getByText('Art Studio <script>alert(1)</script>').first().isVisible()).resolves.toBe(
      true,
    );
    expect(await page.locator('script').count()).toBe(0);

    await page.screenshot({ path: path.join(SHOTS, 'report.png'), fullPage: true });
    await page.locator('h1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'report-top.png') });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('shows a visible note, not a broken chart, for an empty result', async () => {
    const dir = path.join(tmp, 'empty-one');
    await cp(FIXTURE_DIR, dir, { recursive: true });
    await writeFile(path.join(dir, 'users_joined_by_year.json'), '[]\n');
    const { file } = await writeReport({ resultsDir: dir });
    const { page, url, requests, problems } = await open(file);

    const facts = await chartFacts(page);
    expect(facts).toHaveLength(8);
    expect(facts.find((f) => f.result === 'users_joined_by_year')).toBeUndefined();
    const note = page.locator('p.no-rows[data-result="users_joined_by_year"]');
    await note.scrollIntoViewIfNeeded();
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toMatch(/No rows/);
    await page
      .locator('section#users_joined_by_year')
      .screenshot({ path: path.join(SHOTS, 'empty-result.png') });
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });
});
