import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { register as seed } from './seed.ts';
import { register as proxy } from './proxy.ts';
import { register as emulate } from './emulate.ts';
import { register as provision } from './provision.ts';
import { register as sink } from './sink.ts';
import { register as batch } from './batch.ts';
import { register as sql } from './sql.ts';
import { register as verify } from './verify.ts';
import { register as report } from './report.ts';
import { register as run } from './run.ts';
import { register as status } from './status.ts';
import { register as schedule } from './schedule.ts';
import { register as doctor } from './doctor.ts';
import { register as consoleCommand } from './console.ts';

/** The command table, in pipeline order. Each command lives in its own file. */
export const commands: Array<(program: Command, ctx: CommandContext) => void> = [
  seed,
  proxy,
  emulate,
  provision,
  sink,
  batch,
  sql,
  verify,
  report,
  run,
  status,
  schedule,
  doctor,
  consoleCommand,
];
