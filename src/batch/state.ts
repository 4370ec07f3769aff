import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors.ts';
import { openDatabase, sqlString, type Database } from './duckdb.ts';
import { MODELS_DIR, runLayer } from './models.ts';
import type { SinkObject } from './types.ts';
import { processAlive } from '../process-alive.ts';

/** The layout of the tables kept between runs; change it when the code (not the SQL) changes them. */
const STATE_LAYOUT = 2;

let cachedVersion: string | undefined;

/**
 * The version of the rules the tables are built with: a digest of the models (every SQL file and
 * the manifest). A work dir written with another version is rebuilt.
 */
export function rulesVersion(): string {
  if (cachedVersion) return cachedVersion;
  const hash = crypto.createHash('sha256');
  hash.update(`layout ${STATE_LAYOUT}\n`);
  const files = fs
    .readdirSync(MODELS_DIR, { recursive: true, encoding: 'utf8' })
    .filter((n) => n.endsWith('.sql') || n.endsWith('.json'))
    .map((n) => n.split(path.sep).join('/'))
    .sort();
  for (const name of files) hash.update(`${name}\n${fs.readFileSync(path.join(MODELS_DIR, name), 'utf8')}`);
  cachedVersion = hash.digest('hex').slice(0, 16);
  return cachedVersion;
}

/** What identifies the content of an object: its size and its ETag (S3) or modification time. */
export function objectVersion(o: SinkObject): string {
  return `${o.size ?? ''}:${o.version ?? ''}`;
}

export interface LoadPlan {
  /** New objects, and objects whose size or version changed (a sink replay rewrote them). */
  load: SinkObject[];
  /** Keys loaded before that are no longer listed. */
  drop: string[];
}

/** Which objects an incremental run loads, and which loaded ones it drops. Pure. */
export function planLoad(objects: SinkObject[], loaded: Map<string, string>): LoadPlan {
  const listed = new Set(objects.map((o) => o.key));
  return {
    load: objects.filter((o) => loaded.get(o.key) !== objectVersion(o)),
    drop: [...loaded.keys()].filter((k) => !listed.has(k)),
  };
}

export interface BatchState {
  db: Database;
  /** full: a new database at `buildFile`, renamed to `file` by commit(); incremental: `file` itself. */
  mode: 'full' | 'incremental';
  /** Why the run rebuilds (full mode). */
  reason?: string;
  /** The objects already loaded: key → objectVersion. Empty in full mode. */
  loaded: Map<string, string>;
  file: string;
  buildFile: string;
}

const LOCKED = /Could not set lock|Conflicting lock/i;

/**
 * Opens the batch's DuckDB file for an incremental run when it was written with the same rules
 * version, or a new database under a temporary name otherwise (first run, `full`, other rules,
 * unreadable file): that one replaces the previous file only when the run completes.
 */
export async function openState(opts: {
  file: string;
  full?: boolean;
  tempDir: string;
  memoryLimit?: string;
  signal?: AbortSignal;
}): Promise<BatchState> {
  const { file } = opts;
  const dbOpts = { tempDir: opts.tempDir, memoryLimit: opts.memoryLimit, signal: opts.signal };
  let reason = opts.full ? 'asked for (--full)' : 'no previous run in the work dir';
  if (!opts.full && fs.existsSync(file)) {
    let db: Database | undefined;
    try {
      db = await openDatabase(file, dbOpts);
      const found = await storedVersion(db);
      if (found === rulesVersion()) {
        const rows = await db.rows('SELECT key, size, version FROM loaded_objects', 'state');
        const loaded = new Map(
          rows.map((r) => [String(r.key), `${String(r.size ?? '')}:${String(r.version ?? '')}`]),
        );
        return { db, mode: 'incremental', loaded, file, buildFile: file };
      }
      reason =
        found === undefined
          ? 'the work dir was written by an older version of pinpipe'
          : `the work dir was built with other rules (version ${found}, now ${rulesVersion()})`;
    } catch (err) {
      if (LOCKED.test(describeError(err))) throw err;
      reason = `the DuckDB file could not be read (${describeError(err)})`;
    }
    db?.close();
  }
  removeStaleBuilds(file);
  const buildFile = `${file}.${process.pid}.tmp`;
  fs.rmSync(buildFile, { force: true });
  fs.rmSync(`${buildFile}.wal`, { force: true });
  const db = await openDatabase(buildFile, dbOpts);
  return { db, mode: 'full', reason, loaded: new Map(), file, buildFile };
}

/** Removes the half-built files of full runs that were killed (their process is gone). */
function removeStaleBuilds(file: string): void {
  const dir = path.dirname(file);
  const name = path.basename(file);
  for (const entry of fs.readdirSync(dir)) {
    const pid = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)\\.tmp(\\.wal)?$`).exec(entry)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    fs.rmSync(path.join(dir, entry), { force: true });
  }
}

async function storedVersion(db: Database): Promise<string | undefined> {
  const [t] = await db.rows(
    "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'batch_meta' AND NOT temporary",
    'state',
  );
  if (Number(t?.n ?? 0) === 0) return undefined;
  const [row] = await db.rows("SELECT value FROM batch_meta WHERE name = 'rules_version'", 'state');
  return row === undefined ? undefined : String(row.value);
}

/** `changed_keys`: the objects a run loads again or drops (mergeTables, recordLoaded). */
export async function setChangedKeys(db: Database, keys: string[]): Promise<void> {
  await db.run('CREATE OR REPLACE TEMP TABLE changed_keys (key VARCHAR)', 'state');
  const appender = await db.conn.createAppender('changed_keys', 'main', 'temp');
  for (const key of keys) {
    appender.appendVarchar(key);
    appender.endRow();
  }
  appender.closeSync();
}

/** Records the rules version and the objects (in changed_keys) whose lines are now loaded. */
export async function recordLoaded(db: Database, objects: SinkObject[]): Promise<void> {
  await db.run(
    `DELETE FROM batch_meta WHERE name = 'rules_version';
     INSERT INTO batch_meta VALUES ('rules_version', ${sqlString(rulesVersion())})`,
    'state',
  );
  await db.run('DELETE FROM loaded_objects WHERE key IN (SELECT key FROM changed_keys)', 'state');
  const rows = await db.conn.createAppender('loaded_objects');
  for (const o of objects) {
    rows.appendVarchar(o.key);
    rows.appendVarchar(o.kind);
    rows.appendInteger(o.partition);
    rows.appendBigInt(BigInt(o.startOffset));
    rows.appendBigInt(BigInt(o.size ?? 0));
    rows.appendVarchar(o.version ?? '');
    rows.endRow();
  }
  rows.closeSync();
}

/** The tables every run starts from (CREATE IF NOT EXISTS) and the rules: the rules layer of models/manifest.json. */
export async function prepare(db: Database): Promise<void> {
  // the tables are the batch's own working copy (the outputs are the Parquet and JSON files):
  // stored with light compression, which costs a fraction of the CPU time of FSST and
  // dictionaries (a larger file, a faster load and clean)
  await db.run("SET disabled_compression_methods = 'fsst,dictionary'", 'settings');
  await runLayer(db, 'rules');
}
