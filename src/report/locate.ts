import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { PinpipeError } from '../errors.ts';
import type { Profile } from '../config/index.ts';
import { resultsDir } from '../batch/results.ts';

/**
 * Where the batch writes its results by default (src/batch/results.ts); `pinpipe batch --out` may
 * put a run folder under it.
 */
export function resultsRoot(profile: Pick<Profile, 'batch'>): string {
  return resultsDir(profile);
}

async function hasJson(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).some((n) => n.endsWith('.json'));
  } catch {
    return false;
  }
}

/**
 * The latest results folder under `root`: of `root` itself and its sub-folders holding JSON files,
 * the one whose summary.json (else the folder) was written last; ties go to the greater name.
 */
export async function latestResultsDir(root: string): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    throw new PinpipeError(
      'REPORT_FAILED',
      `No results yet: ${root} does not exist. Run \`pinpipe batch\` first, or pass --results <dir>.`,
    );
  }
  const candidates: Array<{ dir: string; mtime: number; name: string }> = [];
  for (const name of entries) {
    const dir = path.join(root, name);
    const st = await stat(dir).catch(() => undefined);
    if (!st?.isDirectory() || !(await hasJson(dir))) continue;
    const summary = await stat(path.join(dir, 'summary.json')).catch(() => undefined);
    candidates.push({ dir, name, mtime: (summary ?? st).mtimeMs });
  }
  // the batch writes straight into the root by default (`<workDir>/results/<result>.json`)
  if (await hasJson(root)) {
    const own = await stat(path.join(root, 'summary.json')).catch(() => stat(root));
    candidates.push({ dir: root, name: '', mtime: own.mtimeMs });
  }
  candidates.sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  if (candidates[0]) return candidates[0].dir;
  throw new PinpipeError(
    'REPORT_FAILED',
    `No results in ${root}. Run \`pinpipe batch\` first, or pass --results <dir>.`,
  );
}
