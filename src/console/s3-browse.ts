/** Browsing S3 in the console (pure): the prefix a query may name, and the preview of an object. */
import { HttpProblem } from './http-rules.ts';

/** First `lines` lines of a text, and whether more followed. */
export function previewLines(text: string, lines: number): { lines: string[]; truncated: boolean } {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return { lines: all.slice(0, lines), truncated: all.length > lines };
}

/** An S3 prefix from a query: no leading slash, no `..` segments. */
export function cleanPrefix(value: string | null): string {
  const p = (value ?? '').replace(/^\/+/, '');
  if (p.split('/').includes('..')) {
    throw new HttpProblem(400, 'BAD_REQUEST', 'A prefix may not contain "..".');
  }
  return p;
}
