import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { type Profile, readEnv } from '../../src/config/index.ts';
import { PinpipeError } from '../../src/errors.ts';
import { which } from '../lib/tools.ts';
import { quoteGrantDatabase, quoteGrantPrefix, quoteId, quoteString } from '../../src/clients/mysql.ts';
import { serviceEnv } from '../lib/proc.ts';

/** Where the private server keeps its files: all under <sandbox.dir>/mysql. */
export interface MysqlPaths {
  dir: string;
  dataDir: string;
  socket: string;
  /** The one folder the server may read or write files in (`secure_file_priv`). */
  filesDir: string;
  /**
   * The server's temporary files: its own folder, owned by its account (the caller's TMPDIR may be a
   * folder the `mysql` account cannot write, as a test run's private 0700 one).
   */
  tmpDir: string;
}

export function mysqlPaths(profile: Profile): MysqlPaths {
  const dir = path.resolve(profile.sandbox.dir, 'mysql');
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    socket: path.join(dir, 'mysqld.sock'),
    filesDir: path.join(dir, 'files'),
    tmpDir: path.join(dir, 'tmp'),
  };
}

/**
 * Schemas the application user may create and drop besides its own database: the tests' and benches'
 * throwaway schemas are named `pinpipe_test_<what>_<unique>`.
 */
export const SCRATCH_SCHEMA_PREFIX = 'pinpipe_test_';

const isMariaDb = (bin: string) =>
  /mariadb/i.test(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '');

/** The system account the server runs as; `args` is what mysqld/install-db are told. */
export interface ServerAccount {
  name: string;
  uid: number;
  gid: number;
  args: string[];
}

/** The account the packages create for the server (Debian's mariadb-server, Homebrew's mysql). */
export const SERVER_SYSTEM_USER = 'mysql';

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** True when every folder from / down to `dir` lets `uid`/`gid` through (the execute bit that applies). */
export function traversableBy(dir: string, uid: number, gid: number, stat = fs.statSync): boolean {
  let current = path.resolve(dir);
  for (;;) {
    const st = stat(current);
    const bit = st.uid === uid ? 0o100 : st.gid === gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * Who runs the server. Not root where that can be avoided: a non-root user runs it as themself;
 * root hands it to the `mysql` system account when that exists and can reach the sandbox folder (a
 * private folder under a 0700 temp folder cannot be reached: then root, said in the log).
 */
export function serverAccount(dir: string, say: (msg: string) => void = () => {}): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const sys = lookupUser(SERVER_SYSTEM_USER);
  const parent = path.dirname(dir);
  if (sys && traversableBy(parent, sys.uid, sys.gid))
    return { name: SERVER_SYSTEM_USER, ...sys, args: [`--user=${SERVER_SYSTEM_USER}`] };
  say(
    sys
      ? `the ${SERVER_SYSTEM_USER} account cannot reach ${parent}: MySQL runs as root`
      : `no ${SERVER_SYSTEM_USER} system account: MySQL runs as root`,
  );
  return { name: 'root', uid: 0, gid: 0, args: ['--user=root'] };
}

/** Hands the server's folders to its account (a sandbox made as root before is taken over once). */
export function ownServerFolders(paths: MysqlPaths, account: ServerAccount | undefined): void {
  fs.mkdirSync(paths.filesDir, { recursive: true });
  fs.mkdirSync(paths.tmpDir, { recursive: true, mode: 0o700 });
  if (account === undefined) return;
  const chownTree = (p: string) => {
    fs.chownSync(p, account.uid, account.gid);
    if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e));
  };
  fs.chownSync(paths.dir, account.uid, account.gid);
  fs.chownSync(paths.filesDir, account.uid, account.gid);
  fs.chownSync(paths.tmpDir, account.uid, account.gid);
  if (fs.existsSync(paths.dataDir) && fs.statSync(paths.dataDir).uid !== account.uid)
    chownTree(paths.dataDir);
}

/** Creates the system tables in an empty datadir (once); root logs in over the socket, no password. */
export function initialiseDataDir(
  bin: string,
  paths: MysqlPaths,
  account: ServerAccount | undefined,
  say: (msg: string) => void,
): void {
  const { dataDir } = paths;
  if (fs.existsSync(path.join(dataDir, 'mysql'))) return;
  say(`initialising MySQL data in ${dataDir}`);
  fs.mkdirSync(dataDir, { recursive: true });
  ownServerFolders(paths, account);
  const user = account?.args ?? [];
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
        { encoding: 'utf8', env: serviceEnv({ TMPDIR: paths.tmpDir }) },
      )
    : spawnSync(bin, ['--no-defaults', '--initialize-insecure', `--datadir=${dataDir}`, ...user], {
        encoding: 'utf8',
        env: serviceEnv({ TMPDIR: paths.tmpDir }),
      });
  if (r.status !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new PinpipeError(
      'SANDBOX_START_FAILED',
      `Initialising the MySQL datadir failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n')}`,
    );
  }
}

/**
 * The server's command line: its own datadir, socket and port, bound to 127.0.0.1; files readable and
 * writable by SQL only in `filesDir` (`secure_file_priv`; the application user has no FILE right anyway).
 */
export function serverArgs(paths: MysqlPaths, port: number, account: ServerAccount | undefined): string[] {
  return [
    '--no-defaults',
    `--datadir=${paths.dataDir}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${paths.socket}`,
    `--pid-file=${path.join(paths.dir, 'mysqld.server.pid')}`,
    `--secure-file-priv=${paths.filesDir}`,
    `--tmpdir=${paths.tmpDir}`,
    '--innodb-buffer-pool-size=256M',
    '--innodb-flush-log-at-trx-commit=2',
    '--max-allowed-packet=64M',
    '--local-infile=1',
    '--skip-name-resolve',
    ...(account?.args ?? []),
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

/**
 * The profile's database and application user, with the profile's password; idempotent. The user gets
 * every right on its own database and on the scratch schemas (`pinpipe_test_%`), nothing global: no
 * FILE (so no LOAD_FILE, no INTO OUTFILE), no other database. Earlier sandboxes granted ALL ON *.*:
 * the REVOKE takes that back on every `sandbox:up`.
 */
export function resourcesSql(mysql: Profile['mysql']): string {
  const { database, user, password } = mysql;
  const accounts = ['127.0.0.1', 'localhost'].map((h) => `${quoteString(user)}@${quoteString(h)}`);
  const secret = quoteString(password ?? '');
  return [
    `CREATE DATABASE IF NOT EXISTS ${quoteId(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;`,
    ...accounts.map((a) => `CREATE USER IF NOT EXISTS ${a} IDENTIFIED BY ${secret};`),
    // The profile is the source of truth for the sandbox user's password.
    ...accounts.map((a) => `ALTER USER ${a} IDENTIFIED BY ${secret};`),
    ...accounts.map((a) => `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${a};`),
    ...accounts.map((a) => `GRANT ALL PRIVILEGES ON ${quoteGrantDatabase(database)}.* TO ${a};`),
    ...accounts.map((a) => `GRANT ALL PRIVILEGES ON ${quoteGrantPrefix(SCRATCH_SCHEMA_PREFIX)}.* TO ${a};`),
    'FLUSH PRIVILEGES;',
  ].join('\n');
}
