import mysql from 'mysql2/promise';
import { type Profile, readSecret } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';

export type MysqlPool = mysql.Pool;

/**
 * The one way an identifier or a string literal reaches MySQL/MariaDB SQL text (the sandbox's set-up,
 * the seed, the tests): values go through placeholders where the statement allows them; names and the
 * DDL/DCL that cannot take a placeholder use these. Written for the default sql_mode (backslash escapes on).
 */
export function quoteId(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A database name in GRANT … ON <db>.*, where `_` and `%` are wildcards: escaped, matching this name alone. */
export function quoteGrantDatabase(name: string): string {
  return quoteId(escapeGrantPattern(name));
}

/** GRANT … ON <pattern>.* for every database whose name starts with `prefix`. */
export function quoteGrantPrefix(prefix: string): string {
  return quoteId(`${escapeGrantPattern(prefix)}%`);
}

const escapeGrantPattern = (name: string) => name.replace(/[\\_%]/g, (c) => `\\${c}`);

export function mysqlOptions(
  profile: Profile,
  overrides: Partial<mysql.PoolOptions> = {},
): mysql.PoolOptions {
  const password = profile.mysql.password ?? readSecret(profile.mysql.passwordEnv) ?? undefined;
  return {
    host: profile.mysql.host,
    port: profile.mysql.port,
    user: profile.mysql.user,
    password,
    database: profile.mysql.database,
    connectionLimit: 8,
    connectTimeout: 5000,
    dateStrings: true,
    supportBigNumbers: true,
    ...overrides,
  };
}

/** A pool on the profile's source database. Callers end() it (or `await using`). */
export function createMysqlPool(profile: Profile, overrides: Partial<mysql.PoolOptions> = {}): MysqlPool {
  return mysql.createPool(mysqlOptions(profile, overrides));
}

/** Opens one connection and fails with SOURCE_UNREACHABLE and the fix when MySQL cannot be reached. */
export async function connectMysql(
  profile: Profile,
  overrides: Partial<mysql.ConnectionOptions> = {},
): Promise<mysql.Connection> {
  const opts = mysqlOptions(profile);
  delete (opts as { connectionLimit?: number }).connectionLimit;
  try {
    return await mysql.createConnection({ ...(opts as mysql.ConnectionOptions), ...overrides });
  } catch (err) {
    throw mysqlUnreachable(profile, err);
  }
}

export function mysqlUnreachable(profile: Profile, err: unknown): PinpipeError {
  const where = `${profile.mysql.host}:${profile.mysql.port}/${profile.mysql.database}`;
  const fix = profile.sandbox.enabled
    ? 'Start the sandbox with `npm run sandbox:up`'
    : 'Check mysql.host/port in the profile, the network path, and the password variable';
  return new PinpipeError(
    'SOURCE_UNREACHABLE',
    `MySQL at ${where} is unreachable (${describeError(err)}). ${fix}.`,
    {
      cause: err,
    },
  );
}
