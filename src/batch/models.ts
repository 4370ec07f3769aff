import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PinpipeError } from '../errors.ts';
import type { Database } from './duckdb.ts';
import { TOPIC_KINDS, type TopicKind } from './types.ts';

/** The batch's models (SQL files) and their manifest, next to this module. */
export const MODELS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'models');

export const LAYERS = ['rules', 'staging', 'intermediate', 'clean', 'merge', 'results'] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * How a source column is checked and typed at load (column_problem() in rules/macros.sql):
 * key (an integer, never null), int, float, text, datetime, count (follower_count, kept as text
 * and parsed by the cleaning).
 */
const COLUMN_KINDS = ['key', 'int', 'float', 'text', 'datetime', 'count'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

const identifier = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case SQL identifier');
const contractSchema = z.union([
  z.strictObject({ unique: identifier }),
  z.strictObject({ not_null: identifier }),
  z.strictObject({
    accepted: z.strictObject({
      column: identifier,
      in: z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, '<table>.<column>'),
    }),
  }),
]);
export type Contract = z.infer<typeof contractSchema>;

const modelSchema = z.strictObject({
  name: identifier,
  layer: z.enum(LAYERS),
  file: z.string().regex(/^[a-z_]+\/[a-z_{}]+\.sql$/, '<layer folder>/<name>.sql'),
  inputs: z.array(identifier),
  topic: z.boolean().optional(),
  ephemeral: z.boolean().optional(),
  session: z.boolean().optional(),
  relation: z.string().optional(),
  contracts: z.array(contractSchema).optional(),
  contract_rows: z.string().optional(),
});
export type Model = z.infer<typeof modelSchema>;

const manifestSchema = z.strictObject({
  about: z.array(z.string()),
  topics: z.strictObject({
    pin: z.strictObject({
      columns: z.array(z.strictObject({ name: identifier, kind: z.enum(COLUMN_KINDS) })),
    }),
    geo: z.strictObject({
      columns: z.array(z.strictObject({ name: identifier, kind: z.enum(COLUMN_KINDS) })),
    }),
    user: z.strictObject({
      columns: z.array(z.strictObject({ name: identifier, kind: z.enum(COLUMN_KINDS) })),
    }),
  }),
  sources: z.record(identifier, z.string()),
  models: z.array(modelSchema),
});
export type Manifest = z.infer<typeof manifestSchema> & { dir: string };

export interface SourceColumn {
  name: string;
  kind: ColumnKind;
}

const invalid = (dir: string, problem: string) =>
  new PinpipeError('BATCH_MODEL_INVALID', `${path.join(dir, 'manifest.json')}: ${problem}`, {
    fix: 'correct the manifest or the model file it names (docs/batch.md, "Model graph")',
  });

/** The files a model reads: one, or one per topic when its name holds {kind}. */
function modelFiles(m: Model): string[] {
  return m.file.includes('{kind}') ? TOPIC_KINDS.map((k) => m.file.replace('{kind}', k)) : [m.file];
}

const REF = /\{\{ref (\w+)((?: \w+=\w+)*)\}\}/g;
const VAR = /\{\{(\w+)\}\}/g;
/** A {{ref}} in a file as written (its arguments may still hold {{vars}}). */
const REF_NAME = /\{\{ref (\w+)/g;
/** A text repeated once per column of the topic, and what it says of the column. */
const EACH_COLUMN = /\{\{each column\}\}([\s\S]*?)\{\{\/each\}\}/g;
const COLUMN_VAR = /\{\{(column|column_kind|n)\}\}/g;

/**
 * Checks a manifest: unique names, known inputs (models or sources), no cycle, every input before
 * the model that reads it, the files present, every {{ref}} of a file among its inputs and naming
 * an ephemeral model, {{each column}} only in topic models. Throws BATCH_MODEL_INVALID naming the model.
 */
export function checkManifest(manifest: Manifest): void {
  const { dir } = manifest;
  const byName = new Map<string, Model>();
  for (const m of manifest.models) {
    if (byName.has(m.name)) throw invalid(dir, `model ${m.name} is declared twice`);
    if (m.name in manifest.sources) throw invalid(dir, `model ${m.name} has the name of a source`);
    byName.set(m.name, m);
  }
  for (const m of manifest.models) {
    for (const input of m.inputs) {
      if (!byName.has(input) && !(input in manifest.sources))
        throw invalid(dir, `model ${m.name} reads ${input}, which is neither a model nor a source`);
    }
  }
  // a cycle, named by its models
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done' || !byName.has(name)) return;
    if (state.get(name) === 'open') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      throw invalid(dir, `model ${name} is in a cycle: ${cycle.join(' → ')}`);
    }
    state.set(name, 'open');
    for (const input of byName.get(name)!.inputs) visit(input, [...trail, name]);
    state.set(name, 'done');
  };
  for (const m of manifest.models) visit(m.name, []);
  const seen = new Set<string>();
  for (const m of manifest.models) {
    for (const input of m.inputs) {
      if (byName.has(input) && !seen.has(input))
        throw invalid(dir, `model ${m.name} reads ${input}, which comes after it: declare ${input} first`);
    }
    seen.add(m.name);
    if (m.layer !== m.file.split('/')[0])
      throw invalid(
        dir,
        `model ${m.name} is in the layer ${m.layer} but its file is in ${m.file.split('/')[0]}/`,
      );
    if (m.file.includes('{kind}') && !m.topic)
      throw invalid(dir, `model ${m.name} has a file per topic but is not a topic model ("topic": true)`);
    if (m.contracts && !m.relation && m.layer !== 'results')
      throw invalid(dir, `model ${m.name} has contracts but no relation to check them on`);
    for (const file of modelFiles(m)) {
      const full = path.join(dir, file);
      if (!fs.existsSync(full)) throw invalid(dir, `model ${m.name}: its file ${file} is missing`);
      const text = fs.readFileSync(full, 'utf8');
      if (!m.topic && text.includes('{{each column}}'))
        throw invalid(dir, `model ${m.name}: ${file} writes a text per column but is not a topic model`);
      for (const [, ref] of text.matchAll(REF_NAME)) {
        if (!m.inputs.includes(ref!))
          throw invalid(dir, `model ${m.name}: ${file} inlines ${ref}, which is not among its inputs`);
        if (!byName.get(ref!)?.ephemeral)
          throw invalid(dir, `model ${m.name}: ${file} inlines ${ref}, which is not an ephemeral model`);
      }
    }
  }
}

/** Reads and checks the manifest of `dir` (MODELS_DIR unless a test gives another). */
export function readManifest(dir = MODELS_DIR): Manifest {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(dir, `not readable JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path;
    const model =
      at[0] === 'models' && typeof at[1] === 'number'
        ? ` (model ${(raw as { models: { name?: string }[] }).models[at[1]]?.name ?? `#${at[1] + 1}`})`
        : '';
    throw invalid(dir, `${at.join('.')}${model}: ${issue.message}`);
  }
  const manifest = { ...parsed.data, dir };
  checkManifest(manifest);
  return manifest;
}

let cached: Manifest | undefined;
/** The batch's own manifest, read and checked once per process. */
export function manifest(): Manifest {
  cached ??= readManifest();
  return cached;
}

/** The columns of a topic's records, in the order of the typed load (staging/load.sql). */
export function sourceColumns(kind: TopicKind, m = manifest()): readonly SourceColumn[] {
  return m.topics[kind].columns;
}

/** The column of a topic that identifies the post (spec: `index` in pin, `ind` elsewhere). */
function keyColumn(kind: TopicKind, m = manifest()): string {
  return sourceColumns(kind, m).find((c) => c.kind === 'key')!.name;
}

function model(m: Manifest, name: string): Model {
  const found = m.models.find((x) => x.name === name);
  if (!found) throw invalid(m.dir, `no model ${name}`);
  return found;
}

const texts = new Map<string, string>();
function fileText(m: Manifest, file: string): string {
  const full = path.join(m.dir, file);
  let text = texts.get(full);
  if (text === undefined) {
    text = fs.readFileSync(full, 'utf8');
    texts.set(full, text);
  }
  return text;
}

/** `text` with each {{each column}}…{{/each}} repeated once per column, with the column's values. */
function eachColumn(text: string, columns: readonly SourceColumn[]): string {
  return text.replace(EACH_COLUMN, (_, body: string) =>
    columns
      .map((c, i) =>
        body.replace(COLUMN_VAR, (__, v: string) =>
          v === 'column' ? c.name : v === 'column_kind' ? c.kind : String(i + 1),
        ),
      )
      .join(''),
  );
}

/**
 * The SQL of a model for a topic (or none): its file with each {{each column}}…{{/each}} repeated
 * once per column of the topic, {{var}} replaced by the topic's values (kind, key) and `vars`, and
 * each {{ref name var=value}} by that ephemeral model's SELECT. Values are identifiers chosen by
 * the code and the manifest, never user input.
 */
export function renderModel(
  name: string,
  kind?: TopicKind,
  vars: Record<string, string> = {},
  m = manifest(),
): string {
  const mod = model(m, name);
  if (mod.topic && kind === undefined) throw invalid(m.dir, `model ${name} is run per topic: no topic given`);
  const all: Record<string, string> = kind ? { kind, key: keyColumn(kind, m), ...vars } : { ...vars };
  const file = kind ? mod.file.replace('{kind}', kind) : mod.file;
  const text = eachColumn(fileText(m, file), kind ? sourceColumns(kind, m) : [])
    .replace(VAR, (_, v: string) => {
      const value = all[v];
      if (value === undefined || !/^\w+$/.test(value))
        throw invalid(m.dir, `model ${name}: ${file} uses {{${v}}}, which has no value here`);
      return value;
    })
    .replace(REF, (_, ref: string, args: string) => {
      const refVars = { ...vars };
      for (const arg of args.trim().split(' ').filter(Boolean)) {
        const [k, v] = arg.split('=');
        refVars[k!] = v!;
      }
      return `${renderModel(ref, kind, refVars, m)}\n`;
    });
  return mod.ephemeral ? text.trim().replace(/;\s*$/, '') : text;
}

/** The models of a layer that run by themselves (not ephemeral), in the manifest's order. */
export function layerModels(layer: Layer, m = manifest()): Model[] {
  return m.models.filter((x) => x.layer === layer && !x.ephemeral);
}

/**
 * Runs the models of a layer for one topic (topic models) or once (the others), in order, each
 * followed by its contracts.
 */
export async function runLayer(db: Database, layer: Layer, kind?: TopicKind, m = manifest()): Promise<void> {
  for (const mod of layerModels(layer, m)) {
    if (Boolean(mod.topic) !== (kind !== undefined)) continue;
    await db.run(renderModel(mod.name, kind, {}, m), kind ? `${mod.name} ${kind}` : mod.name);
    await checkContracts(db, mod, kind);
  }
}

/** The rules that every connection of a run sets (session variables such as placeholder_values). */
export async function runSessionRules(db: Database, m = manifest()): Promise<void> {
  for (const mod of layerModels('rules', m).filter((x) => x.session)) {
    await db.run(renderModel(mod.name, undefined, {}, m), mod.name);
  }
}

/** The relation a model's contracts are checked on: its relation, or its name (a result table). */
function relationOf(mod: Model, kind?: TopicKind): string {
  const rel = (mod.relation ?? mod.name).replace(VAR, (_, v: string) => (v === 'kind' && kind ? kind : v));
  if (!/^[a-z_][a-z0-9_]*$/.test(rel)) throw new Error(`bad relation ${rel}`);
  return rel;
}

/**
 * One contract as a query returning one row: `bad` (the number of rows breaking it) and `example`.
 * `rows`: the rows to check (the model's contract_rows: those a merge wrote), or all.
 */
function contractQuery(c: Contract, rel: string, rows = 'TRUE'): { sql: string; says: string } {
  if ('unique' in c)
    return {
      sql: `SELECT count(*) AS bad, min("${c.unique}")::VARCHAR AS example FROM (SELECT "${c.unique}" FROM ${rel} WHERE "${c.unique}" IS NOT NULL AND (${rows}) GROUP BY ALL HAVING count(*) > 1)`,
      says: `${c.unique} is unique`,
    };
  if ('not_null' in c)
    return {
      sql: `SELECT count(*) AS bad, NULL AS example FROM ${rel} WHERE "${c.not_null}" IS NULL AND (${rows})`,
      says: `${c.not_null} is never null`,
    };
  const [table, column] = c.accepted.in.split('.');
  return {
    sql: `SELECT count(*) AS bad, min("${c.accepted.column}")::VARCHAR AS example FROM ${rel} WHERE "${c.accepted.column}" IS NOT NULL AND "${c.accepted.column}" NOT IN (SELECT "${column}" FROM ${table}) AND (${rows})`,
    says: `${c.accepted.column} is one of ${c.accepted.in}`,
  };
}

/**
 * Checks the contracts of a model (for a topic, when it is a topic model) on its relation: the
 * first broken one fails the run with BATCH_CONTRACT_FAILED naming the model.
 */
export async function checkContracts(db: Database, mod: Model, kind?: TopicKind): Promise<void> {
  const rel = relationOf(mod, kind);
  for (const c of mod.contracts ?? []) {
    const { sql, says } = contractQuery(c, rel, mod.contract_rows);
    const [row] = await db.rows(sql, `contract ${mod.name}`);
    const bad = Number(row?.bad ?? 0);
    if (bad === 0) continue;
    const example =
      row?.example === null || row?.example === undefined ? '' : ` (e.g. ${String(row.example)})`;
    throw new PinpipeError(
      'BATCH_CONTRACT_FAILED',
      `The batch model ${mod.name}${kind ? ` (${kind})` : ''} broke its contract "${says}" on ${rel}: ${bad} row(s)${example}; the previous tables are untouched`,
      {
        details: { model: mod.name, topic: kind, relation: rel, contract: c, rows: bad },
        fix: `fix the SQL of ${mod.file.replace('{kind}', kind ?? '{kind}')} or the rule it breaks (src/batch/models/manifest.json), then run pinpipe batch again`,
      },
    );
  }
}

const SQL_TOKEN = /'((?:[^']|'')*)'|(-?[0-9]+)|([(),;])|\s+|([^\s'(),;]+)/gy;

/**
 * The rows of `INSERT INTO <table> VALUES (...), ...;` in a model file (line comments dropped):
 * tuples of strings and numbers. The rules' data (placeholders, age groups) for code that does not
 * run SQL; the Spark engine reads the same rows the same way.
 */
export function sqlValues(file: string, table: string, m = manifest()): (string | number)[][] {
  const sql = fileText(m, file)
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n');
  const at = sql.indexOf(`INSERT INTO ${table} VALUES`);
  if (at < 0) throw invalid(m.dir, `${file} has no INSERT INTO ${table} VALUES`);
  const rows: (string | number)[][] = [];
  let row: (string | number)[] | undefined;
  SQL_TOKEN.lastIndex = at + `INSERT INTO ${table} VALUES`.length;
  for (let t = SQL_TOKEN.exec(sql); t; t = SQL_TOKEN.exec(sql)) {
    const [, text, num, punct, word] = t;
    if (punct === ';') break;
    if (punct === '(') row = [];
    else if (punct === ')') {
      if (row) rows.push(row);
      row = undefined;
    } else if (row && text !== undefined) row.push(text.replace(/''/g, "'"));
    else if (row && num !== undefined) row.push(Number(num));
    else if (word !== undefined) throw invalid(m.dir, `${file}: unexpected ${word} in the rows of ${table}`);
  }
  return rows;
}

/** The placeholders of each column (rules/placeholders.sql), in the file's order. */
export function placeholderValues(m = manifest()): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [column, value] of sqlValues('rules/placeholders.sql', 'placeholders', m))
    (out[String(column)] ??= []).push(String(value));
  return out;
}

/** The text every save_location starts with (save_location_prefix() of rules/placeholders.sql). */
export function saveLocationPrefix(m = manifest()): string {
  const found = /MACRO save_location_prefix\(\) AS '((?:[^']|'')*)'/.exec(
    fileText(m, 'rules/placeholders.sql'),
  );
  if (!found) throw invalid(m.dir, 'rules/placeholders.sql defines no save_location_prefix()');
  return found[1]!.replace(/''/g, "'");
}
