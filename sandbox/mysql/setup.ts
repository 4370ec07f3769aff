import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Profile } from '../../src/config/schema.ts';
import { PinpipeError } from '../../src/errors.ts';
import { readEnv } from '../../src/config/env.ts';
import { which } from '../lib/tools.ts';

/** Where the private server keeps its files: all under <sandbox.dir>/mysql. */
export interface MysqlPaths {
  dir: string;
  dataDir: string;
  socket: string;
}

export function mysqlPaths(profile: Profile): MysqlPaths {
  const dir = path.join(profile.sandbox.dir, 'mysql');
  return { dir, dataDir: path.join(dir, 'data'), socket: path.join(dir, 'mysqld.sock') };
}

const isMariaDb = (bin: string) =>
  /mariadb/i.test(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '');

/** Running as root, the server must be told it may. */
export const rootUserArgs = (): string[] => (process.getuid?.() === 0 ? ['--user=root'] : []);

/** Creates the system tables in an empty datadir (once); root logs in over the socket, no password. */
export function initialiseDataDir(bin: string, dataDir: string, say: (msg: string) => void): void {
  if (fs.existsSync(path.join(dataDir, 'mysql'))) return;
  say(`initialising MySQL data in ${dataDir}`);
  fs.mkdirSync(dataDir, { recursive: true });
  const user = rootUserArgs();
  const { osUser } = readEnv();
  const r = isMariaDb(bin)
    ? spawnSync(
        which('mariadb-install-db') ?? which('mysql_install_db') ?? 'mariadb-install-db',
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          '--auth-root-authentication-method=socket',
          `--auth-root-socket-user=${osUser}`,
          '--skip-test-db',
          ...user,
        ],
        { encoding: 'utf8' },
      )
    : spawnSync(bin, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...user], {
        encoding: 'utf8',
      });
  if (r.status !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new PinpipeError(
      'SANDBOX_START_FAILED',
      `Initialising the MySQL datadir failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n')}`,
    );
  }
}

/** The server's command line: its own datadir, socket and port, bound to 127.0.0.1. */
export function serverArgs(paths: MysqlPaths, port: number): string[] {
  return [
    '--no-defaults',
    `--datadir=${paths.dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${paths.socket}`,
    `--pid-file=${path.join(paths.dir, 'mysqld.server.pid')}`,
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--max-allowed-packet=64M',
    '--local-infile=1',
    '--skip-name-resolve',
    ...rootUserArgs(),
  ];
}

/** Runs SQL as the local root over the socket (no password: socket auth for the OS user). */
export function rootSql(socket: string, sql: string, timeoutMs = 30000): void {
  const client = which('mariadb') ?? which('mysql');
  if (!client) throw new PinpipeError('SANDBOX_PREREQ_MISSING', 'The mariadb/mysql client is missing.');
  const r = spawnSync(client, ['--no-defaults', '-S', socket, '-u', 'root'], {
    input: sql,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (r.status !== 0) {
    throw new PinpipeError(
      'SANDBOX_START_FAILED',
      `Setting up the sandbox database failed: ${r.stderr.trim()}`,
    );
  }
}

/** The profile's database and application user, with the profile's password; idempotent. */
export function resourcesSql(mysql: Profile['mysql']): string {
  const { database, user, password } = mysql;
  const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const hosts = ['127.0.0.1', 'localhost'];
  return [
    `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;`,
    ...hosts.map(
      (h) => `CREATE USER IF NOT EXISTS '${q(user)}'@'${h}' IDENTIFIED BY '${q(password ?? '')}';`,
    ),
    // The profile is the source of truth for the sandbox user's password.
    ...hosts.map((h) => `ALTER USER '${q(user)}'@'${h}' IDENTIFIED BY '${q(password ?? '')}';`),
    // Sandbox only: tests create their own schemas next to the source database.
    ...hosts.map((h) => `GRANT ALL PRIVILEGES ON *.* TO '${q(user)}'@'${h}';`),
    'FLUSH PRIVILEGES;',
  ].join('\n');
}
