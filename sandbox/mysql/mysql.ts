import fs from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import type { Profile } from '../../src/config/index.ts';
import { requireTool, which } from '../lib/tools.ts';
import { defineService, type SandboxService } from '../lib/service.ts';
import {
  initialiseDataDir,
  mysqlPaths,
  ownServerFolders,
  resourcesSql,
  rootSql,
  serverAccount,
  serverArgs,
} from './setup.ts';

/**
 * A private MariaDB (or MySQL) server: its own datadir, socket and port under .sandbox/mysql,
 * bound to 127.0.0.1, so a system server on 3306 is never touched.
 */
export function mysqlService(profile: Profile, say: (msg: string) => void): SandboxService {
  const paths = mysqlPaths(profile);
  const { dir, dataDir, socket } = paths;
  const port = profile.mysql.port;
  let server: string | undefined;

  return defineService(
    {
      name: 'mysql',
      title: 'MySQL',
      dir,
      pidFile: path.join(dir, 'mysqld.pid'),
      logFile: path.join(dir, 'mysqld.log'),
      needle: dataDir,
      port,
      ports: [{ port, what: 'the sandbox MySQL', fix: 'set another port with PINPIPE_MYSQL__PORT=<port>' }],
      healthTimeoutMs: 3000,
      stopTimeoutMs: 30000,
      async prepare() {
        server =
          which('mariadbd') ??
          which('mysqld') ??
          requireTool('mariadbd', 'The sandbox MySQL', { deb: 'mariadb-server', brew: 'mariadb' }, say, true);
      },
      // Not as root where avoidable (serverAccount); its folders handed to the account it runs as.
      launch() {
        const account = serverAccount(dir, say);
        initialiseDataDir(server!, paths, account, say);
        ownServerFolders(paths, account);
        return { cmd: server!, args: serverArgs(paths, port, account) };
      },
      // The server is up when root answers over the socket; the application user is created afterwards
      // (ensureResources), and health() then checks that user's own credentials.
      async ready() {
        if (!fs.existsSync(socket)) return { ok: false, detail: `no socket ${socket} yet` };
        rootSql(socket, 'SELECT 1;', 2000);
        return true;
      },
      async ensureResources() {
        rootSql(socket, resourcesSql(profile.mysql));
      },
      // The application user, with the profile's password, over TCP: what the pipeline itself uses.
      probe: (timeoutMs) => ({
        what: 'MySQL health check',
        async run() {
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
        },
      }),
    },
    profile,
    say,
  );
}
