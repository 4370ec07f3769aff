/** `sandbox up` and `sandbox down` of a private sandbox (scripts/), and the processes a sandbox folder still runs. */
import { spawnSync } from 'node:child_process';
import { runTs } from './run.ts';

/** Every process whose command line mentions the sandbox folder (datadir, config, log paths). */
export function processesUsing(dir: string): string[] {
  const r = spawnSync('pgrep', ['-af', dir], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() && !l.includes('pgrep'));
}

export const up = (env: Record<string, string>) =>
  runTs('scripts/sandbox-up.ts', ['--no-seed', '--no-provision'], { env });
export const down = (env: Record<string, string>) => runTs('scripts/sandbox-down.ts', [], { env });
