/**
 * npm run bench:faults — each fault against a private sandbox (own folder, free ports), one markdown
 * table row per fault: records sent, acknowledged, in Kafka, in S3, lost, duplicated, time to recover,
 * verdict. Every row has a deadline: a stage that hangs is reported "hung (killed at N s)" and the
 * bench goes on. Exit 0 when every row is ok, 1 when any row lost acknowledged records or failed,
 * 2 on bad flags. docs/faults.md explains each row.
 *
 *   npm run bench:faults
 *   npm run bench:faults -- --only kafka-kill,overload
 *   npm run bench:faults -- --list
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Command, CommanderError } from 'commander';
import { PROJECT_ROOT } from '../src/config/index.ts';
import {
  formatNotes,
  formatSeconds,
  formatTable,
  losesAcknowledged,
  verdict,
  type RowResult,
} from './faults/accounting.ts';
import { Children, startSandbox, type Sandbox } from './faults/harness.ts';
import { ROWS, type RowSpec } from './faults/rows.ts';

const say = (m: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function parseOnly(text: string): RowSpec[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !ROWS.some((r) => r.name === n));
  if (unknown.length > 0 || names.length === 0) {
    throw new CommanderError(
      2,
      'faults.only',
      `--only takes row names separated by commas; unknown: ${unknown.join(', ') || '(none given)'}. ` +
        `Rows: ${ROWS.map((r) => r.name).join(', ')}.`,
    );
  }
  return ROWS.filter((r) => names.includes(r.name));
}

async function runRow(spec: RowSpec, sbx: Sandbox): Promise<RowResult> {
  const started = Date.now();
  const ac = new AbortController();
  const children = new Children();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), spec.budgetMs)));
  const base = { name: spec.name, fault: spec.fault };
  say(`${spec.name}: ${spec.fault} (bounded at ${formatSeconds(spec.budgetMs)})`);
  try {
    const r = await Promise.race([
      spec.run({ sbx, children, signal: ac.signal, say }).then(
        (ok) => ({ ok }),
        (err: unknown) => ({ err }),
      ),
      timeout,
    ]);
    const durationMs = Date.now() - started;
    if (r === 'timeout') {
      return {
        ...base,
        accounting: null,
        recoverMs: null,
        recoverText: '–',
        problems: [`row unfinished (stopped at ${formatSeconds(spec.budgetMs)})`],
        notes: [],
        durationMs,
      };
    }
    if ('err' in r) {
      return {
        ...base,
        accounting: null,
        recoverMs: null,
        recoverText: '–',
        problems: [`row failed: ${r.err instanceof Error ? r.err.message : String(r.err)}`],
        notes: [],
        durationMs,
      };
    }
    return { ...base, ...r.ok, durationMs };
  } finally {
    clearTimeout(timer);
    ac.abort();
    await children.killAll();
    await sbx
      .heal()
      .catch((err: unknown) => say(`healing the sandbox after ${spec.name} failed: ${String(err)}`));
  }
}

function commitOf(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha} (with local changes)` : sha;
  } catch {
    return 'unknown';
  }
}

const program = new Command()
  .name('npm run bench:faults --')
  .description(
    'Inject faults into a pipeline on a private sandbox and count what was sent, acknowledged, kept in ' +
      'Kafka and stored in S3. Exit 0 = every row ok, 1 = a row lost acknowledged records or failed, 2 = bad flags.',
  )
  .option(
    '--only <rows>',
    `comma-separated rows to run (default: all): ${ROWS.map((r) => r.name).join(', ')}`,
  )
  .option('--list', 'print the rows and exit')
  .option('--out <file>', 'also write the table and notes (markdown) to this file')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

let opts: { only?: string; list?: boolean; out?: string };
let rows: RowSpec[];
try {
  program.parse(process.argv);
  opts = program.opts();
  rows = opts.only !== undefined ? parseOnly(opts.only) : [...ROWS];
} catch (err) {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) process.exit(0);
    if (err.code === 'faults.only') process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

if (opts.list) {
  for (const r of ROWS)
    process.stdout.write(`${r.name.padEnd(12)} ${r.fault} (bounded at ${formatSeconds(r.budgetMs)})\n`);
  process.exit(0);
}

const t0 = Date.now();
say(`starting a private sandbox for ${rows.map((r) => r.name).join(', ')}`);
const sbx = await startSandbox(say);
let stopping = false;
const onSignal = () => {
  if (stopping) return;
  stopping = true;
  say('interrupted: stopping the private sandbox');
  void sbx.down().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

const results: RowResult[] = [];
try {
  for (const spec of rows) {
    const r = await runRow(spec, sbx);
    results.push(r);
    say(`${spec.name}: ${verdict(r)} (${formatSeconds(r.durationMs)})`);
  }
} finally {
  await sbx.down();
}

const header =
  `Fault bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commitOf()}, ` +
  `${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, ${formatSeconds(Date.now() - t0)} in all`;
const text = `${header}\n\n${formatTable(results)}\n\n${formatNotes(results)}\n`;
process.stdout.write(text);
if (opts.out) fs.writeFileSync(opts.out, text);
const lost = results.filter(losesAcknowledged);
if (lost.length > 0) say(`acknowledged records LOST in: ${lost.map((r) => r.name).join(', ')}`);
process.exitCode = results.every((r) => verdict(r) === 'ok') ? 0 : 1;
