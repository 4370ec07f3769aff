import { describe, expect, it } from 'vitest';
import { planSeed } from '../../../src/seed/seed.ts';
import {
  GENERATOR_VERSION,
  parseProvenance,
  provenanceComment,
  shapeMismatch,
  type TableState,
} from '../../../src/seed/inspect.ts';
import { TABLE_NAMES, createTableSql, schema } from '../../../src/seed/schema.ts';

const ours = { version: GENERATOR_VERSION, seed: 42, rows: 11000 };
const state = (patch: Partial<TableState> = {}): TableState[] =>
  TABLE_NAMES.map((table) => ({
    table,
    exists: true,
    mismatch: undefined,
    hasRows: true,
    provenance: ours,
    ...patch,
  }));
const opts = { rows: 11000, seed: 42 };

describe('planSeed', () => {
  it('loads when the tables are missing', () => {
    expect(planSeed(state({ exists: false, hasRows: false, provenance: undefined }), opts, 'db').action).toBe(
      'load',
    );
  });

  it('skips when the same seed and rows are already loaded, reloads with --force or other parameters', () => {
    expect(planSeed(state(), opts, 'db').action).toBe('skip');
    expect(planSeed(state(), { ...opts, force: true }, 'db').action).toBe('load');
    expect(planSeed(state(), { ...opts, rows: 5 }, 'db').action).toBe('load');
  });

  it('refuses another shape without --force, with a message naming --force', () => {
    const p = planSeed(state({ mismatch: 'columns differ' }), opts, 'db');
    expect(p.action).toBe('refuse');
    if (p.action === 'refuse') {
      expect(p.error.code).toBe('SOURCE_SCHEMA_MISMATCH');
      expect(p.error.message).toContain('--force');
    }
    expect(planSeed(state({ mismatch: 'columns differ' }), { ...opts, force: true }, 'db').action).toBe(
      'load',
    );
  });

  it('refuses to overwrite rows pinpipe seed did not write, unless --force', () => {
    const p = planSeed(state({ provenance: undefined }), opts, 'db');
    expect(p.action).toBe('refuse');
    expect(planSeed(state({ provenance: undefined, hasRows: false }), opts, 'db').action).toBe('load');
  });

  it('onlyIfEmpty (sandbox:up) skips full tables whatever wrote them', () => {
    expect(planSeed(state({ provenance: undefined }), { ...opts, onlyIfEmpty: true }, 'db').action).toBe(
      'skip',
    );
  });
});

describe('schema', () => {
  it('declares the tables, keys and types of docs/spec.md#source-tables', () => {
    const s = schema();
    expect(s.pinterest_data.key).toBe('index');
    expect(s.geolocation_data.key).toBe('ind');
    expect(s.user_data.key).toBe('ind');
    expect(s.pinterest_data.columns.map((c) => c.name)).toEqual([
      'index',
      'unique_id',
      'title',
      'description',
      'poster_name',
      'follower_count',
      'tag_list',
      'is_image_or_video',
      'image_src',
      'downloaded',
      'save_location',
      'category',
    ]);
    expect(s.geolocation_data.columns.map((c) => `${c.name} ${c.dataType}`)).toEqual([
      'ind int',
      'timestamp datetime',
      'latitude float',
      'longitude float',
      'country varchar',
    ]);
    expect(s.user_data.columns.map((c) => `${c.name} ${c.dataType}`)).toEqual([
      'ind int',
      'first_name varchar',
      'last_name varchar',
      'age int',
      'date_joined datetime',
    ]);
  });

  it('renames a CREATE TABLE for staging and records provenance', () => {
    const sql = createTableSql('user_data', 'user_data__pinpipe_new', provenanceComment(ours));
    expect(sql).toMatch(/^CREATE TABLE `user_data__pinpipe_new` \(/);
    expect(sql).toContain("COMMENT='pinpipe seed v2: seed=42 rows=11000'");
    expect(parseProvenance(provenanceComment(ours))).toEqual(ours);
    expect(parseProvenance('something else')).toBeUndefined();
  });

  it('detects another shape', () => {
    const cols = schema().user_data.columns.map((c) => ({ ...c, key: c.name === 'ind' ? 'PRI' : '' }));
    expect(shapeMismatch('user_data', cols)).toBeUndefined();
    expect(shapeMismatch('user_data', cols.slice(0, 4))).toMatch(/expected/);
    expect(
      shapeMismatch(
        'user_data',
        cols.map((c) => ({ ...c, key: '' })),
      ),
    ).toMatch(/primary key/);
  });
});
