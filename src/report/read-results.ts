import { z } from 'zod';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PinpipeError, describeError } from '../errors.ts';
import { invalidFile, jsonRowsSchema, parseJson } from '../json.ts';
import type { Results } from './catalog.ts';

export interface ResultsFolder {
  dir: string;
  results: Results;
  /** summary.json, when the batch wrote one. */
  summary: unknown;
}

const SUMMARY = 'summary.json';
const summarySchema = z.record(z.string(), z.unknown());
/** A result file holds rows; a JSON file that is no array is not a result (ignored). */
const resultFileSchema = z.union([jsonRowsSchema, z.unknown().refine((v) => !Array.isArray(v))]);

/**
 * Reads a results folder: one `<result_name>.json` per result (an array of row objects) and an
 * optional summary.json. Any other JSON file that is not an array is ignored; a file that is not JSON,
 * or an array that is not of row objects, is a REPORT_FAILED naming the file.
 */
export async function readResults(dir: string): Promise<ResultsFolder> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new PinpipeError(
      'REPORT_FAILED',
      `Cannot read the results folder ${dir} (${describeError(err)}). Run \`pinpipe batch\` first, or pass --results <dir>.`,
      { cause: err },
    );
  }
  const results: Results = {};
  let summary: unknown;
  for (const name of names) {
    const file = path.join(dir, name);
    const r = parseJson(await readFile(file, 'utf8'), name === SUMMARY ? summarySchema : resultFileSchema);
    if (!r.ok) throw invalidFile(file, r.problem, { code: 'REPORT_FAILED', fix: 'Re-run `pinpipe batch`.' });
    if (name === SUMMARY) summary = r.value;
    else if (Array.isArray(r.value)) results[name.slice(0, -'.json'.length)] = r.value;
  }
  if (Object.keys(results).length === 0) {
    throw new PinpipeError(
      'REPORT_FAILED',
      `No result files (<result_name>.json) in ${dir}. Run \`pinpipe batch\` first, or pass --results <dir>.`,
    );
  }
  return { dir, results, summary };
}
