import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/report/results',
);

/** The `<svg class="chart ...">…</svg>` of one result, or undefined. */
export function chartOf(html: string, result: string): string | undefined {
  const re = new RegExp(`<svg class="chart[^"]*" data-result="${result}"[\\s\\S]*?</svg>`);
  return re.exec(html)?.[0];
}

export function count(haystack: string, re: RegExp): number {
  return [...haystack.matchAll(new RegExp(re.source, 'g'))].length;
}

/** data-row values of the marks of a chart. */
export function markRows(svg: string): number[] {
  return [...svg.matchAll(/<(?:rect|circle) class="mark" data-row="(\d+)"/g)].map((m) => Number(m[1]));
}

export function attr(svg: string, name: string): string | undefined {
  return new RegExp(`^<svg[^>]* ${name}="([^"]*)"`).exec(svg)?.[1];
}
