import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import type { Profile } from '../../src/config/schema.ts';
import { PinpipeError, describeError } from '../../src/errors.ts';
import {
  assertPortFree,
  removePidRecord,
  runningPid,
  runningProcess,
  spawnService,
  stopProcess,
  waitUntil,
  withTimeout,
} from '../lib/proc.ts';
import { requireTool, which } from '../lib/tools.ts';
import type { SandboxService, ServiceHealth } from '../lib/service.ts';

/**
 * A private MariaDB (or MySQL) server: its own datadir, socket and port under .sandbox/mysql,
 * bound to 127.0.0.1, so a system server on 3306 is never touched.
 */
export function mysqlService(profile: Profile, say: (msg: string) => void): SandboxService {
  const dir = path.join(profile.sandbox.dir, 'mysql');
  const dataDir = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const pidFile = path.join(dir, 'mysqld.pid');
  // What the service's command line contains: how a pid file from before start times were kept is checked.
  const needle = dataDir;
  const pidOpts = { onStale: say };
  const logFile = path.join(dir, 'mysqld.log');
  const port = profile.mysql.port;
  const endpoint = `127.0.0.1:${port}`;
  let server: string | undefined;

  const isMariaDb = (bin: string) =>
    /mariadb/i.test(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '');

  const clientBin = () => which('mariadb') ?? which('mysql');

  /** Runs SQL as the local root over the socket (no password: socket auth for the OS user). */
  const rootSql = (sql: string, timeoutMs = 30000) => {
    const client = clientBin();
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
  };

  return {
    name: 'mysql',
    endpoint,
    logFile,
    async prepare() {
      server =
        which('mariadbd') ??
        which('mysqld') ??
        requireTool('mariadbd', 'The sandbox MySQL', { deb: 'mariadb-server', brew: 'mariadb' }, say, true);
    },
    runningPid: () => runningPid(pidFile, needle, pidOpts),
    async start() {
      if (!server) await this.prepare();
      const bin = server!;
      await assertPortFree(port, 'the sandbox MySQL', 'set another port with PINPIPE_MYSQL__PORT=<port>');
      fs.mkdirSync(dir, { recursive: true });
      const user = process.getuid?.() === 0 ? ['--user=root'] : [];
      if (!fs.existsSync(path.join(dataDir, 'mysql'))) {
        say(`initialising MySQL data in ${dataDir}`);
        fs.mkdirSync(dataDir, { recursive: true });
        const osUser = process.env.USER || 'root';
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
      const pid = spawnService(
        bin,
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${socket}`,
          `--pid-file=${path.join(dir, 'mysqld.server.pid')}`,
          '--innodb-buffer-pool-size=256M',
          '--innodb-flush-log-at-trx-commit=2',
          '--max-allowed-packet=64M',
          '--local-infile=1',
          '--skip-name-resolve',
          ...user,
        ],
        { logFile, pidFile },
      );
      // The server is up when root answers over the socket; the application user is created afterwards
      // (ensureResources), and health() then checks that user's own credentials.
      const serverUp = async () => {
        if (!fs.existsSync(socket)) return { ok: false, detail: `no socket ${socket} yet` };
        rootSql('SELECT 1;', 2000);
        return true;
      };
      await waitUntil('MySQL', serverUp, {
        timeoutMs: profile.sandbox.startTimeoutSec * 1000,
        pid,
        logFile,
      });
    },
    async ensureResources() {
      const { database, user, password } = profile.mysql;
      const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
      rootSql(
        [
          `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;`,
          `CREATE USER IF NOT EXISTS '${q(user)}'@'127.0.0.1' IDENTIFIED BY '${q(password ?? '')}';`,
          `CREATE USER IF NOT EXISTS '${q(user)}'@'localhost' IDENTIFIED BY '${q(password ?? '')}';`,
          // The profile is the source of truth for the sandbox user's password.
          `ALTER USER '${q(user)}'@'127.0.0.1' IDENTIFIED BY '${q(password ?? '')}';`,
          `ALTER USER '${q(user)}'@'localhost' IDENTIFIED BY '${q(password ?? '')}';`,
          // Sandbox only: tests create their own schemas next to the source database.
          `GRANT ALL PRIVILEGES ON *.* TO '${q(user)}'@'127.0.0.1';`,
          `GRANT ALL PRIVILEGES ON *.* TO '${q(user)}'@'localhost';`,
          'FLUSH PRIVILEGES;',
        ].join('\n'),
      );
    },
    async health(timeoutMs = 3000): Promise<ServiceHealth> {
      const pid = runningPid(pidFile, needle, pidOpts);
      try {
        // The application user, with the profile's password, over TCP: what the pipeline itself uses.
        await withTimeout(timeoutMs, 'MySQL health check', async () => {
          const conn = await mysql.createConnection({
            host: '127.0.0.1',
            port,
            user: profile.mysql.user,
            password: profile.mysql.password,
            connectTimeout: timeoutMs,
          });
          try {
            await conn.query('SELECT 1');
          } finally {
            await conn.end().catch(() => {});
          }
        });
        return { ok: true, endpoint, pid };
      } catch (err) {
        return { ok: false, endpoint, pid, detail: describeError(err) };
      }
    },
    async stop() {
      const proc = runningProcess(pidFile, needle, pidOpts);
      if (proc === undefined) return false;
      await stopProcess(proc, 30000, { name: 'MySQL' });
      removePidRecord(pidFile);
      return true;
    },
    wipe() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
