import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { executeBatch, type BatchRun } from '../../../src/batch/index.ts';
import { toJsonValue } from '../../../src/batch/duckdb.ts';
import { testProfile } from '../../helpers/profile.ts';
import { createLogger } from '../../../src/log.ts';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/batch');

export interface FixtureRun extends BatchRun {
  dir: string;
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** Runs the batch offline on a fixture folder, in a fresh work folder under the OS temp dir. */
export async function runOnFolder(source: string): Promise<FixtureRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-batch-'));
  const profile = testProfile((p) => ({ ...p, batch: { ...p.batch, workDir: path.join(dir, 'work') } }));
  let run: BatchRun;
  try {
    run = await executeBatch({
      profile,
      source,
      out: path.join(dir, 'out'),
      runDate: '2026-01-02',
      logger: createLogger('silent'),
    });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...run,
    dir,
    async query(sql) {
      const instance = await DuckDBInstance.create(run.summary.duckdbPath, { access_mode: 'READ_ONLY' });
      const conn = await instance.connect();
      try {
        const reader = await conn.runAndReadAll(sql);
        return reader.getRowObjectsJS().map((r) => toJsonValue(r) as Record<string, unknown>);
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    },
  };
}

export function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}
