import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/batch/duckdb.ts';
import {
  MODELS_DIR,
  checkContracts,
  layerModels,
  type Layer,
  readManifest,
  renderModel,
  runLayer,
  sourceColumns,
} from '../../../src/batch/models.ts';
import { RESULT_NAMES } from '../../../src/batch/results.ts';
import { TOPIC_KINDS } from '../../../src/batch/types.ts';
import { isPinpipeError } from '../../../src/errors.ts';

/** A copy of the models folder whose manifest `edit` changed; removed after each test. */
const copies: string[] = [];
function editedManifest(edit: (m: { models: Record<string, unknown>[] }) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-models-'));
  copies.push(dir);
  fs.cpSync(MODELS_DIR, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as { models: Record<string, unknown>[] };
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m));
  return dir;
}
const named = (m: { models: Record<string, unknown>[] }, name: string) =>
  m.models.find((x) => x.name === name) as Record<string, unknown> & { inputs: string[] };

function invalidMessage(dir: string): string {
  try {
    readManifest(dir);
  } catch (err) {
    if (isPinpipeError(err, 'BATCH_MODEL_INVALID')) return err.problem;
    throw err;
  }
  throw new Error('the manifest was accepted');
}

describe('the model manifest (src/batch/models/manifest.json)', () => {
  afterEach(() => {
    for (const dir of copies.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is read and checked; its results layer is the nine results in the spec order', () => {
    const m = readManifest();
    expect(layerModels('results', m).map((x) => x.name)).toEqual([...RESULT_NAMES]);
    expect(layerModels('merge', m).map((x) => x.name)).toEqual([
      'merge_touched',
      'merge_staged',
      'merge_quarantine',
      'merge_winners',
      'merge_clean',
      'merge_cleanup',
    ]);
  });

  it('refuses an input that is neither a model nor a source, naming the model', () => {
    const dir = editedManifest((m) => (named(m, 'raw').inputs = ['dedup_offsets', 'nowhere']));
    expect(invalidMessage(dir)).toBe(
      `${path.join(dir, 'manifest.json')}: model raw reads nowhere, which is neither a model nor a source`,
    );
  });

  it('refuses a cycle, naming its models', () => {
    const dir = editedManifest((m) => named(m, 'placeholders').inputs.push('macros'));
    expect(invalidMessage(dir)).toBe(
      `${path.join(dir, 'manifest.json')}: model placeholders is in a cycle: placeholders → macros → placeholder_values → placeholders`,
    );
  });

  it('refuses a missing file, an input declared after its reader, and an inlined model it does not declare', () => {
    expect(
      invalidMessage(editedManifest((m) => (named(m, 'winners').file = 'intermediate/gone.sql'))),
    ).toMatch(/: model winners: its file intermediate\/gone\.sql is missing$/);
    const late = editedManifest((m) => {
      const raw = m.models.splice(
        m.models.findIndex((x) => x.name === 'dedup_offsets'),
        1,
      );
      m.models.push(...raw);
    });
    expect(invalidMessage(late)).toMatch(
      /: model raw reads dedup_offsets, which comes after it: declare dedup_offsets first$/,
    );
    expect(invalidMessage(editedManifest((m) => (named(m, 'quarantine').inputs = ['schema'])))).toMatch(
      /: model quarantine: intermediate\/quarantine\.sql inlines quarantine_lines, which is not among its inputs$/,
    );
  });

  it('refuses a model of an unknown layer or with a misspelt field, naming it', () => {
    expect(invalidMessage(editedManifest((m) => (named(m, 'raw').layer = 'marts')))).toMatch(
      /: models\.\d+\.layer \(model raw\): /,
    );
    expect(invalidMessage(editedManifest((m) => (named(m, 'raw').input = [])))).toMatch(
      /: models\.\d+ \(model raw\): /,
    );
  });

  it('writes the text between {{each column}} and {{/each}} once per column of the topic, and only in a topic model', () => {
    const geo = renderModel('load', 'geo');
    expect(geo).toContain(
      "json_type(line, ['$.ind', '$.timestamp', '$.latitude', '$.longitude', '$.country', ])",
    );
    expect(geo).toContain(
      `CASE WHEN _reason IS NULL THEN key_value(_v1, _d1) END AS "ind",
  CASE WHEN _reason IS NULL THEN datetime_value(_v2, _d2) END AS "timestamp",`,
    );
    expect(invalidMessage(editedManifest((m) => (named(m, 'load').topic = false)))).toMatch(
      /: model load: staging\/load\.sql writes a text per column but is not a topic model$/,
    );
  });

  it('declares the columns of the typed load (staging/load.sql) in their order', async () => {
    const db = await openDatabase(':memory:');
    try {
      await runLayer(db, 'rules');
      await db.run(
        'CREATE TABLE chunk_lines (file VARCHAR, line VARCHAR, line_no BIGINT); CREATE TABLE load_files (file VARCHAR, key VARCHAR, partition INTEGER, start_offset BIGINT)',
        'test',
      );
      for (const kind of TOPIC_KINDS) {
        const cols = await db.rows(`DESCRIBE ${renderModel('load', kind)}`, 'test');
        expect(cols.map((c) => c.column_name).slice(6)).toEqual(sourceColumns(kind).map((c) => c.name));
      }
    } finally {
      db.close();
    }
  });
});

describe('the contracts of the models, run with the batch', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase(':memory:');
    await runLayer(db, 'rules');
  });
  afterAll(() => db.close());

  /** The contracts of every model of a layer, as the batch checks them after each model. */
  const contractError = async (layer: Layer) => {
    try {
      for (const mod of layerModels(layer))
        for (const kind of mod.topic ? TOPIC_KINDS : [undefined]) await checkContracts(db, mod, kind);
    } catch (err) {
      if (isPinpipeError(err, 'BATCH_CONTRACT_FAILED')) return err;
      throw err;
    }
    return undefined;
  };

  it('pass on clean tables with one row per ind, and fail naming the model when an ind is there twice or null', async () => {
    await db.run(
      'CREATE OR REPLACE TABLE pin_clean AS SELECT range AS ind FROM range(3); CREATE OR REPLACE TABLE geo_clean AS SELECT range AS ind FROM range(3); CREATE OR REPLACE TABLE user_clean AS SELECT range AS ind FROM range(3)',
      'test',
    );
    expect(await contractError('clean')).toBeUndefined();
    await db.run('INSERT INTO geo_clean VALUES (2), (2), (1)', 'test');
    const twice = await contractError('clean');
    expect(twice?.problem).toBe(
      'The batch model clean_table (geo) broke its contract "ind is unique" on geo_clean: 2 row(s) (e.g. 1); the previous tables are untouched',
    );
    expect(twice?.details).toMatchObject({
      model: 'clean_table',
      topic: 'geo',
      relation: 'geo_clean',
      rows: 2,
    });
    // a merge checks the rows it wrote only: those of changed_posts
    await db.run('CREATE OR REPLACE TABLE changed_posts AS SELECT 0 AS ind', 'test');
    expect(await contractError('merge')).toBeUndefined();
    await db.run('INSERT INTO changed_posts VALUES (1)', 'test');
    await db.run('CREATE OR REPLACE TABLE user_clean AS SELECT NULL::BIGINT AS ind', 'test');
    expect((await contractError('merge'))?.problem).toBe(
      'The batch model merge_clean (geo) broke its contract "ind is unique" on geo_clean: 1 row(s) (e.g. 1); the previous tables are untouched',
    );
    await db.run('DELETE FROM geo_clean WHERE ind IN (1, 2); INSERT INTO geo_clean VALUES (1), (2)', 'test');
    expect((await contractError('merge'))?.problem).toBe(
      'The batch model merge_clean (user) broke its contract "ind is never null" on user_clean: 1 row(s); the previous tables are untouched',
    );
    expect((await contractError('clean'))?.problem).toBe(
      'The batch model clean_table (user) broke its contract "ind is never null" on user_clean: 1 row(s); the previous tables are untouched',
    );
  });

  it('fail a result whose age group is not one of age_groups (rules/macros.sql)', async () => {
    // the result tables with the columns their contracts read
    for (const name of RESULT_NAMES) {
      const cols = name.includes('age_group') ? "'18-24' AS age_group, 3 AS n" : "'Chile' AS country";
      await db.run(`CREATE OR REPLACE TABLE ${name} AS SELECT ${cols}`, name);
    }
    expect(await contractError('results')).toBeUndefined();
    await db.run("INSERT INTO median_followers_by_age_group VALUES ('17-', 3)", 'test');
    expect((await contractError('results'))?.problem).toBe(
      'The batch model median_followers_by_age_group broke its contract "age_group is one of age_groups.age_group" on median_followers_by_age_group: 1 row(s) (e.g. 17-); the previous tables are untouched',
    );
  });
});
