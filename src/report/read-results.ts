import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PinpipeError, describeError } from '../errors.ts';
import type { Results, Row } from './catalog.ts';

export interface ResultsFolder {
  dir: string;
  results: Results;
  /** summary.json, when the batch wrote one. */
  summary: unknown;
}

const SUMMARY = 'summary.json';

/**
 * Reads a results folder: one `<result_name>.json` per result (an array of row objects) and an
 * optional summary.json. Any other JSON file that is not an array is ignored.
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
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new PinpipeError(
        'REPORT_FAILED',
        `${file} is not valid JSON (${describeError(err)}). Re-run \`pinpipe batch\`.`,
        {
          cause: err,
        },
      );
    }
    if (name === SUMMARY) summary = data;
    else if (Array.isArray(data)) results[name.slice(0, -'.json'.length)] = data.filter(isRow);
  }
  if (Object.keys(results).length === 0) {
    throw new PinpipeError(
      'REPORT_FAILED',
      `No result files (<result_name>.json) in ${dir}. Run \`pinpipe batch\` first, or pass --results <dir>.`,
    );
  }
  return { dir, results, summary };
}

function isRow(v: unknown): v is Row {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
