import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryBatchDatabase, TABLES_QUERY } from '../../../src/batch/query.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { runCli } from '../../helpers/run.ts';
import { FIXTURES, runOnFolder, type FixtureRun } from './helpers.ts';

/** `pinpipe sql`: read-only queries over the batch's DuckDB file, with clear errors. */
let run: FixtureRun;
beforeAll(async () => {
  run = await runOnFolder(path.join(FIXTURES, 'main'));
}, 60_000);
afterAll(() => {
  if (run) fs.rmSync(run.dir, { recursive: true, force: true });
});

const env = () => ({
  PINPIPE_BATCH__WORK_DIR: path.dirname(run.summary.duckdbPath),
  PINPIPE_PROFILE: 'local',
});

describe('queryBatchDatabase', () => {
  it('lists the tables with their row counts, and answers a query with its columns', async () => {
    const tables = await queryBatchDatabase(run.summary.duckdbPath, TABLES_QUERY);
    expect(tables.columns).toEqual(['table', 'rows']);
    expect(tables.rows).toContainEqual({ table: 'pin_clean', rows: 12 });
    expect(tables.rows).toContainEqual({ table: 'quarantine', rows: 0 });
    const r = await queryBatchDatabase(
      run.summary.duckdbPath,
      'select ind, category from pin_clean order by ind limit 2',
    );
    expect(r).toEqual({
      columns: ['ind', 'category'],
      rows: [
        { ind: 1, category: 'art' },
        { ind: 2, category: 'art' },
      ],
    });
  });

  it('refuses to write, and names the missing file when no batch has run', async () => {
    const write = await queryBatchDatabase(run.summary.duckdbPath, 'delete from pin_clean').catch(
      (e: unknown) => e,
    );
    expect(isPinpipeError(write) && write.code).toBe('BATCH_SQL_FAILED');
    expect((write as Error).message).toMatch(/^The query failed in DuckDB: .*read-only mode/);
    expect(
      (await queryBatchDatabase(run.summary.duckdbPath, 'select count(*) as n from pin_clean')).rows,
    ).toEqual([{ n: 12 }]);
    const missing = path.join(run.dir, 'none.duckdb');
    const err = await queryBatchDatabase(missing, 'select 1').catch((e: unknown) => e);
    expect(isPinpipeError(err) && err.code).toBe('BATCH_NOTHING_TO_DO');
    expect((err as Error).message).toBe(
      `No batch database yet: ${missing} does not exist. Run \`pinpipe batch\` first (or pass --db <file>).`,
    );
  });
});

describe('queryBatchDatabase reads the clean tables only', () => {
  const refused = async (sql: string) => {
    const err = await queryBatchDatabase(run.summary.duckdbPath, sql).catch((e: unknown) => e);
    expect(isPinpipeError(err) && err.code, sql).toBe('BATCH_SQL_REFUSED');
    return (err as Error).message;
  };

  it('refuses COPY … TO, read_text, ATTACH and SET with BATCH_SQL_REFUSED; ordinary queries are unchanged', async () => {
    const target = path.join(run.dir, `copy-${process.pid}.csv`);
    expect(await refused(`copy (select 1 as x) to '${target}'`)).toMatch(
      /^pinpipe sql reads the batch's tables only: files, other databases and settings are out of its reach \(.+\)\. Query the tables listed by `pinpipe sql`\.$/,
    );
    expect(fs.existsSync(target)).toBe(false);
    await refused("select * from read_text('/etc/hostname')");
    await refused(`attach '${path.join(run.dir, 'other.duckdb')}' as other`);
    await refused('set enable_external_access = true');
    await refused('set threads = 1');
    expect(
      (await queryBatchDatabase(run.summary.duckdbPath, 'select count(*) as n from user_clean')).rows,
    ).toEqual([{ n: 12 }]);
  });
});

describe('pinpipe sql', { timeout: 30_000 }, () => {
  it('prints a table, or JSON; exit 1 with the reason on bad SQL', async () => {
    const table = await runCli(['sql', 'select ind, category from pin_clean order by ind limit 2'], {
      env: env(),
    });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toBe('ind  category\n---  --------\n  1  art\n  2  art\n');
    const json = await runCli(['sql', '--json', 'select count(*) as n from geo_clean'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual([{ n: 12 }]);
    const bad = await runCli(['sql', 'selec 1'], { env: env() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The query failed in DuckDB: Parser Error: syntax error at or near "selec"');
    expect(bad.stderr).toContain('[BATCH_SQL_FAILED]');
  });

  it('says to run the batch first when there is no database', async () => {
    const r = await runCli(['sql'], {
      env: { ...env(), PINPIPE_BATCH__WORK_DIR: path.join(run.dir, 'empty') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No batch database yet: ');
    expect(r.stderr).toContain('Run `pinpipe batch` first (or pass --db <file>). [BATCH_NOTHING_TO_DO]');
  });
});
