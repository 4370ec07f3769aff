import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/**
 * The command table, in pipeline order. Each command lives in its own file, imported only when
 * the command runs (or for help), so a command does not pay for the imports of the others.
 */
const modules: Record<string, () => Promise<{ register: RegisterCommand }>> = {
  seed: () => import('./seed.ts'),
  proxy: () => import('./proxy.ts'),
  emulate: () => import('./emulate.ts'),
  provision: () => import('./provision.ts'),
  sink: () => import('./sink.ts'),
  batch: () => import('./batch.ts'),
  sql: () => import('./sql.ts'),
  verify: () => import('./verify.ts'),
  report: () => import('./report.ts'),
  run: () => import('./run.ts'),
  status: () => import('./status.ts'),
  schedule: () => import('./schedule.ts'),
  doctor: () => import('./doctor.ts'),
  profile: () => import('./profile.ts'),
  console: () => import('./console.ts'),
};

/** The named command's register function when it is one; every command's otherwise (help, typos). */
export async function loadCommands(name?: string): Promise<RegisterCommand[]> {
  const names = name !== undefined && Object.hasOwn(modules, name) ? [name] : Object.keys(modules);
  const loaded = await Promise.all(names.map((n) => modules[n]!()));
  return loaded.map((m) => m.register);
}

/** The options of the program that take a value: the word after them is not the command. */
const VALUE_OPTIONS = new Set(['-p', '--profile', '--log-level']);

/** The command word of `argv` (node, script, ...args): the first word that is no option or value. */
export function commandName(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return args[i + 1];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}
