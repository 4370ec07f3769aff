import type { Connection } from 'mysql2/promise';
import type { Profile } from '../config/index.ts';
import { connectMysql } from '../clients/mysql.ts';
import { PinpipeError, describeError, isPinpipeError } from '../errors.ts';
import { connectForSeed, withSeedLock } from './connection.ts';
import { GENERATOR_VERSION, inspectTables, provenanceComment, type TableState } from './inspect.ts';
import { isLocalInfileRefused, loadTables, type LoadMethod } from './loader.ts';
import { TABLE_NAMES } from './schema.ts';

/**
 * `pinpipe seed` and `seedIfEmpty`: read the database state, decide (pure, planSeed), load.
 */
/** Below this many rows per table, starting worker threads costs more than it saves. */
export const WORKER_THRESHOLD_ROWS = 100_000;

export interface SeedOptions {
  rows: number;
  seed: number;
  /** Replace tables of another shape, or holding rows that `pinpipe seed` did not write. */
  force?: boolean;
  /** Load only when a table is missing or empty (sandbox:up). */
  onlyIfEmpty?: boolean;
  /** 'auto' tries LOAD DATA LOCAL INFILE and falls back to INSERTs when the server refuses it. */
  method?: LoadMethod | 'auto';
  /** Load the three tables concurrently on three connections (default true). */
  parallel?: boolean;
  /** Generate in worker threads (default: from WORKER_THRESHOLD_ROWS rows per table up). */
  workers?: boolean;
  signal?: AbortSignal;
  onRows?: (n: number) => void;
}

export interface SeedResult {
  action: 'loaded' | 'unchanged';
  rows: number;
  seed: number;
  database: string;
  method: LoadMethod | undefined;
  seconds: number;
  reason: string;
}

export type SeedPlan =
  | { action: 'load'; reason: string }
  | { action: 'skip'; reason: string }
  | { action: 'refuse'; error: PinpipeError };

/** Decides what to do from the tables' state. Pure. */
export function planSeed(
  states: TableState[],
  opts: Pick<SeedOptions, 'rows' | 'seed' | 'force' | 'onlyIfEmpty'>,
  database: string,
): SeedPlan {
  const allFull = states.every((s) => s.exists && s.hasRows);
  if (opts.onlyIfEmpty && allFull && !states.some((s) => s.mismatch)) {
    return { action: 'skip', reason: 'the tables already hold rows' };
  }
  if (!opts.force) {
    const bad = states.filter((s) => s.mismatch);
    if (bad.length > 0) {
      const what = bad.map((s) => `${s.table}: ${s.mismatch}`).join('; ');
      return {
        action: 'refuse',
        error: new PinpipeError(
          'SOURCE_SCHEMA_MISMATCH',
          `Database ${database} has table(s) with another shape than src/seed/schema.sql (${what}). Run \`pinpipe seed --force\` to replace them (their rows will be lost).`,
        ),
      };
    }
    const foreign = states.filter((s) => s.hasRows && !s.provenance);
    if (foreign.length > 0) {
      return {
        action: 'refuse',
        error: new PinpipeError(
          'SEED_FAILED',
          `Table(s) ${foreign.map((s) => s.table).join(', ')} in ${database} hold rows that pinpipe seed did not write. Run \`pinpipe seed --force\` to replace them.`,
        ),
      };
    }
    const same = states.every(
      (s) =>
        s.hasRows &&
        s.provenance?.version === GENERATOR_VERSION &&
        s.provenance.seed === opts.seed &&
        s.provenance.rows === opts.rows,
    );
    if (same)
      return {
        action: 'skip',
        reason: `already holds seed ${opts.seed} × ${opts.rows} rows (use --force to reload)`,
      };
  }
  const missing = states.filter((s) => !s.exists || !s.hasRows).map((s) => s.table);
  return {
    action: 'load',
    reason: missing.length > 0 ? `missing or empty: ${missing.join(', ')}` : 'replacing the current rows',
  };
}

export async function seedDatabase(profile: Profile, opts: SeedOptions): Promise<SeedResult> {
  const started = performance.now();
  const database = profile.mysql.database;
  const conn = await connectForSeed(profile);
  const result = (action: SeedResult['action'], reason: string, method?: LoadMethod): SeedResult => ({
    action,
    rows: opts.rows,
    seed: opts.seed,
    database,
    method,
    seconds: (performance.now() - started) / 1000,
    reason,
  });
  try {
    return await withSeedLock(conn, database, async () => {
      const plan = planSeed(await inspectTables(conn), opts, database);
      if (plan.action === 'refuse') throw plan.error;
      if (plan.action === 'skip') return result('unchanged', plan.reason);
      const method = await loadWithFallback(profile, conn, opts);
      return result('loaded', plan.reason, method);
    });
  } catch (err) {
    if (isPinpipeError(err)) throw err;
    if (opts.signal?.aborted)
      throw new PinpipeError('INTERRUPTED', 'Seeding interrupted; the live tables were left as they were.', {
        cause: err,
      });
    throw new PinpipeError(
      'SEED_FAILED',
      `Seeding ${database} failed (${describeError(err)}); the live tables were left as they were.`,
      {
        cause: err,
      },
    );
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function loadWithFallback(profile: Profile, conn: Connection, opts: SeedOptions): Promise<LoadMethod> {
  const comment = provenanceComment({ version: GENERATOR_VERSION, seed: opts.seed, rows: opts.rows });
  const wanted = opts.method ?? 'auto';
  const extra: Connection[] = [];
  try {
    if (opts.parallel ?? true) {
      for (let i = 1; i < TABLE_NAMES.length; i++) extra.push(await connectMysql(profile));
    }
    const conns = [conn, ...extra];
    const run = (method: LoadMethod) =>
      loadTables(conns, {
        seed: opts.seed,
        rows: opts.rows,
        method,
        comment,
        signal: opts.signal,
        onRows: opts.onRows,
        workers: opts.workers ?? opts.rows >= WORKER_THRESHOLD_ROWS,
      });
    if (wanted !== 'auto') {
      await run(wanted);
      return wanted;
    }
    try {
      await run('infile');
      return 'infile';
    } catch (err) {
      if (!isLocalInfileRefused(err)) throw err;
      await run('insert');
      return 'insert';
    }
  } finally {
    await Promise.all(extra.map((c) => c.end().catch(() => undefined)));
  }
}
