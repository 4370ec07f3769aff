import type { Connection } from 'mysql2/promise';
import type { Profile } from '../config/index.ts';
import { connectMysql, quoteId } from '../clients/mysql.ts';

/**
 * Connections for seeding. The database named in the profile is created when it does not exist
 * (a fresh server, or a test's unique schema); other failures are SOURCE_UNREACHABLE from
 * connectMysql, with the fix in the message.
 */
export async function connectForSeed(profile: Profile): Promise<Connection> {
  try {
    return await connectMysql(profile);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code !== 'ER_BAD_DB_ERROR') throw err;
    const admin = await connectMysql(profile, { database: undefined });
    try {
      await admin.query(
        `CREATE DATABASE IF NOT EXISTS ${quoteId(profile.mysql.database)} CHARACTER SET utf8mb4`,
      );
    } finally {
      await admin.end();
    }
    return connectMysql(profile);
  }
}

/** Serialises seeders of one database (sandbox:up and the test setup may race): a named server lock. */
export async function withSeedLock<T>(conn: Connection, database: string, fn: () => Promise<T>): Promise<T> {
  const name = `pinpipe-seed:${database}`.slice(0, 64);
  const [rows] = await conn.query('SELECT GET_LOCK(?, 600) AS ok', [name]);
  if ((rows as Array<{ ok: number | null }>)[0]?.ok !== 1) {
    throw new Error(`another pinpipe seed holds the lock on ${database} for more than 10 minutes`);
  }
  try {
    return await fn();
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [name]).catch(() => undefined);
  }
}
