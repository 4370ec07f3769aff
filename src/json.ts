import fs from 'node:fs';
import { z } from 'zod';
import { describeError, PinpipeError, type ErrorCode } from './errors.ts';

/**
 * JSON read from a file or a request, checked against a zod schema: every boundary that parses JSON
 * goes through here, so bad input is named with where it came from and what is wrong with it.
 */
export type JsonResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Rows of a result file: an array of objects, one per row (the batch writes them, the report reads them). */
export const jsonRowsSchema = z.array(z.record(z.string(), z.unknown()));

/**
 * The first problem of a failed parse: `field.path: message` (`(root)` for the whole value). Of a
 * union that matched no branch, the problem found deepest in a branch (the closest match).
 */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return '(root): does not match its schema';
  const { path, message } = deepest(issue);
  const where = path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  return `${where ? where.replace(/^\./, '') : '(root)'}: ${message}`;
}

function deepest(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const inner = issue.errors
    .flat()
    .map((i) => deepest(i))
    .reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return { path: [...issue.path, ...inner.path], message: inner.message };
}

/** Checks an already parsed value (never throws). */
export function checkJson<T>(value: unknown, schema: z.ZodType<T>): JsonResult<T> {
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: firstIssue(parsed.error) };
}

/** Parses text and checks it (never throws): the value, or what is wrong with it. */
export function parseJson<T>(text: string, schema: z.ZodType<T>): JsonResult<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${describeError(err)})` };
  }
  return checkJson(value, schema);
}

export interface JsonFileOptions {
  /** The error code of a bad file (default FILE_INVALID). */
  code?: ErrorCode;
  /** What to do about a bad file ("re-run `pinpipe batch`."). */
  fix?: string;
}

/** A typed error naming the file and what is wrong with it. */
export function invalidFile(
  file: string,
  problem: string,
  opts: JsonFileOptions = {},
  cause?: unknown,
): PinpipeError {
  return new PinpipeError(opts.code ?? 'FILE_INVALID', `${file} is not what pinpipe expects: ${problem}`, {
    cause,
    details: { file },
    fix: opts.fix,
  });
}

/** Parses text read from `file` and checks it; throws `invalidFile` when it does not hold. */
export function parseJsonFileText<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  opts?: JsonFileOptions,
): T {
  const r = parseJson(text, schema);
  if (!r.ok) throw invalidFile(file, r.problem, opts);
  return r.value;
}

/** Reads `file` (errors of reading, e.g. ENOENT, are thrown as they are) and checks its JSON. */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, opts?: JsonFileOptions): T {
  return parseJsonFileText(file, fs.readFileSync(file, 'utf8'), schema, opts);
}

/**
 * The lines of a JSON-lines file, each checked. A line that is not JSON at all was torn by a crash
 * mid-append and is skipped; a JSON line that does not hold is an `invalidFile` naming its line.
 */
export function parseJsonLines<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  opts?: JsonFileOptions,
): T[] {
  const out: T[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // torn by a crash mid-append
    }
    const r = checkJson(value, schema);
    if (!r.ok) throw invalidFile(file, `line ${i + 1}: ${r.problem}`, opts);
    out.push(r.value);
  }
  return out;
}
