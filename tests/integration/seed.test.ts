import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { connectMysql, quoteId } from '../../src/clients/mysql.ts';
import type { Profile } from '../../src/config/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import { checksumTables, connectForSeed, rowsOf, seedDatabase, seedIfEmpty } from '../../src/seed/index.ts';
import { uniqueSchema } from '../../testkit/names.ts';
import { freePort } from '../../testkit/ports.ts';
import { testProfile } from '../helpers/profile.ts';
import { runCli } from '../helpers/run.ts';

// Each describe works in its own database (never the shared `pinterest_data`) and drops it.
const uniqueDb = uniqueSchema;

function profileFor(database: string): Profile {
  return testProfile((p) => ({ ...p, mysql: { ...p.mysql, database } }));
}

async function dropDb(profile: Profile): Promise<void> {
  const admin = await connectMysql(profile, { database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${quoteId(profile.mysql.database)}`);
  await admin.end();
}

async function checksumOf(profile: Profile): Promise<string> {
  const conn = await connectForSeed(profile);
  try {
    return (await checksumTables(conn)).checksum;
  } finally {
    await conn.end();
  }
}

async function leftovers(conn: Connection): Promise<string[]> {
  const [rows] = await conn.query(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%\\_\\_pinpipe\\_%'",
  );
  return (rows as Array<{ name: string }>).map((r) => r.name);
}

describe('seed: determinism and the loaded tables', { timeout: 120_000 }, () => {
  const profile = profileFor(uniqueDb('seed_it'));
  const ROWS = 3000;
  // Every test starts from the seed-42 load (the first test also ends there).
  beforeAll(() => seedDatabase(profile, { rows: ROWS, seed: 42 }));
  afterAll(() => dropDb(profile));

  it('the same seed twice gives the same checksum; another seed another one; load methods and worker threads agree', async () => {
    await seedDatabase(profile, { rows: ROWS, seed: 42 });
    const first = await checksumOf(profile);
    const again = await seedDatabase(profile, { rows: ROWS, seed: 42, force: true, method: 'insert' });
    expect(again.action).toBe('loaded');
    expect(again.method).toBe('insert');
    expect(await checksumOf(profile)).toBe(first);
    await seedDatabase(profile, { rows: ROWS, seed: 43 });
    const other = await checksumOf(profile);
    expect(other).not.toBe(first);
    await seedDatabase(profile, { rows: ROWS, seed: 42, method: 'infile', workers: true });
    expect(await checksumOf(profile)).toBe(first);
  });

  it('a repeated identical seed is a no-op', async () => {
    const r = await seedDatabase(profile, { rows: ROWS, seed: 42 });
    expect(r.action).toBe('unchanged');
  });

  it('keys are 1..N in all three tables; rows read back equal the generated ones', async () => {
    const conn = await connectForSeed(profile);
    try {
      const [counts] = await conn.query(
        'SELECT (SELECT COUNT(*) FROM pinterest_data p JOIN geolocation_data g ON g.ind = p.`index` JOIN user_data u ON u.ind = p.`index`) AS joined, ' +
          '(SELECT MIN(`index`) FROM pinterest_data) AS lo, (SELECT MAX(`index`) FROM pinterest_data) AS hi',
      );
      expect((counts as Array<Record<string, number>>)[0]).toEqual({ joined: ROWS, lo: 1, hi: ROWS });
      const ind = 1234;
      const [geo] = await conn.query(
        { sql: 'SELECT * FROM geolocation_data WHERE ind = ?', rowsAsArray: true },
        [ind],
      );
      const [user] = await conn.query({ sql: 'SELECT * FROM user_data WHERE ind = ?', rowsAsArray: true }, [
        ind,
      ]);
      const [pin] = await conn.query(
        { sql: 'SELECT * FROM pinterest_data WHERE `index` = ?', rowsAsArray: true },
        [ind],
      );
      const nth = (t: 'pinterest_data' | 'geolocation_data' | 'user_data') =>
        [...rowsOf(t, { seed: 42, rows: ROWS })][ind - 1];
      expect((geo as unknown[][])[0]).toEqual(nth('geolocation_data'));
      expect((user as unknown[][])[0]).toEqual(nth('user_data'));
      expect((pin as unknown[][])[0]).toEqual(nth('pinterest_data'));
      expect(await leftovers(conn)).toEqual([]);
    } finally {
      await conn.end();
    }
  });

  it('an interrupted load leaves the live tables as they were and no staging tables', async () => {
    const before = await checksumOf(profile);
    const ac = new AbortController();
    let seen = 0;
    const err = await seedDatabase(profile, {
      rows: 60_000,
      seed: 99,
      workers: true,
      signal: ac.signal,
      onRows: (n) => {
        seen += n;
        if (seen >= 5000) ac.abort(new Error('test interrupt'));
      },
    }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'INTERRUPTED')).toBe(true);
    expect(await checksumOf(profile)).toBe(before);
    const conn = await connectForSeed(profile);
    try {
      expect(await leftovers(conn)).toEqual([]);
    } finally {
      await conn.end();
    }
  });
});

describe('seedIfEmpty (sandbox:up)', { timeout: 120_000 }, () => {
  const base = profileFor(uniqueDb('seed_empty'));
  const profile: Profile = { ...base, sandbox: { ...base.sandbox, seedRows: 500, seedSeed: 5 } };
  afterAll(() => dropDb(profile));

  it('creates the database and loads the default rows once, then does nothing', async () => {
    const said: string[] = [];
    expect(await seedIfEmpty(profile, (m) => said.push(m))).toEqual({ seeded: true, rows: 500 });
    expect(said.join('\n')).toContain('500 rows');
    expect(await seedIfEmpty(profile, () => undefined)).toEqual({ seeded: false, rows: 0 });
  });
});

describe('pinpipe seed: bad input and failures', { timeout: 180_000 }, () => {
  const database = uniqueDb('seed_cli');
  const profile = profileFor(database);
  const env = { PINPIPE_MYSQL__DATABASE: database };
  beforeAll(() => seedDatabase(profile, { rows: 200, seed: 1 }));
  afterAll(() => dropDb(profile));

  it('--rows 0, negative or non-numeric, --seed x → usage error, exit 2', async () => {
    const cases = [['--rows', '0'], ['--rows=-3'], ['--rows', 'abc'], ['--seed', 'x']];
    const results = await Promise.all(cases.map((args) => runCli(['seed', ...args], { env })));
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/must be (at least 1|a whole number)/);
    }
  });

  it('an unreachable database → exit 3 with the fix', async () => {
    const r = await runCli(['seed', '--rows', '10'], {
      env: { ...env, PINPIPE_MYSQL__PORT: String(await freePort()) },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('SOURCE_UNREACHABLE');
    expect(r.stderr).toContain('sandbox:up');
  });

  it('a table of another shape → refused with a message naming --force, data untouched; --force replaces it', async () => {
    await seedDatabase(profile, { rows: 200, seed: 1, force: true });
    const conn = await connectForSeed(profile);
    try {
      await conn.query('ALTER TABLE user_data ADD COLUMN nickname VARCHAR(20)');
      const r = await runCli(['seed', '--rows', '300'], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('SOURCE_SCHEMA_MISMATCH');
      expect(r.stderr).toContain('--force');
      const [n] = await conn.query('SELECT COUNT(*) AS n FROM pinterest_data');
      expect((n as Array<{ n: number }>)[0]!.n).toBe(200);

      const ok = await runCli(['seed', '--rows', '300', '--force', '--checksum'], { env });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/loaded 300 rows per table/);
      const printed = /^([0-9a-f]{64}) /m.exec(ok.stdout)?.[1];
      expect(printed).toBe(await checksumOf(profile));
      expect(await leftovers(conn)).toEqual([]);
    } finally {
      await conn.end();
    }
  });

  it('--checksum alone prints the checksum as JSON without loading', async () => {
    await seedDatabase(profile, { rows: 250, seed: 2, force: true });
    const r = await runCli(['seed', '--checksum', '--json'], { env });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      seed?: unknown;
      checksum: { checksum: string; tables: Array<{ rows: number }> };
    };
    expect(out.seed).toBeUndefined();
    expect(out.checksum.checksum).toBe(await checksumOf(profile));
    expect(out.checksum.tables.map((t) => t.rows)).toEqual([250, 250, 250]);
  });
});
