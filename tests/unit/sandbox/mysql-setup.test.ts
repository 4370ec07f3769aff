import type fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quoteGrantDatabase, quoteGrantPrefix, quoteId, quoteString } from '../../../src/clients/mysql.ts';
import { resourcesSql, serverArgs, traversableBy } from '../../../sandbox/mysql/setup.ts';
import { serviceEnv } from '../../../sandbox/lib/proc.ts';
import { testProfile } from '../../helpers/profile.ts';

describe('MySQL quoting: the one helper every name and string goes through', () => {
  it('doubles backticks in names, quotes and backslashes in strings, and escapes GRANT wildcards', () => {
    expect(quoteId('pinterest_data')).toBe('`pinterest_data`');
    expect(quoteId('x` ; DROP DATABASE y; --')).toBe('`x`` ; DROP DATABASE y; --`');
    expect(quoteString("it's \\ here")).toBe("'it''s \\\\ here'");
    expect(quoteGrantDatabase('pinterest_data')).toBe('`pinterest\\_data`');
    expect(quoteGrantDatabase('a%b`c')).toBe('`a\\%b``c`');
    expect(quoteGrantPrefix('pinpipe_test_')).toBe('`pinpipe\\_test\\_%`');
  });
});

describe('resourcesSql: the application user on least privilege', () => {
  const mysql = testProfile().mysql;

  it('grants on its own database and the scratch schemas only, after revoking whatever an older sandbox granted', () => {
    const sql = resourcesSql({ ...mysql, database: 'pinterest_data', user: 'pinpipe', password: 'pw' }).split(
      '\n',
    );
    expect(sql.filter((l) => l.startsWith('GRANT'))).toEqual([
      "GRANT ALL PRIVILEGES ON `pinterest\\_data`.* TO 'pinpipe'@'127.0.0.1';",
      "GRANT ALL PRIVILEGES ON `pinterest\\_data`.* TO 'pinpipe'@'localhost';",
      "GRANT ALL PRIVILEGES ON `pinpipe\\_test\\_%`.* TO 'pinpipe'@'127.0.0.1';",
      "GRANT ALL PRIVILEGES ON `pinpipe\\_test\\_%`.* TO 'pinpipe'@'localhost';",
    ]);
    expect(sql.join('\n')).not.toMatch(/ON \*\.\*/);
    // REVOKE comes before the GRANTs: an upgraded sandbox loses its old ALL ON *.*
    const revoke = sql.indexOf("REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'pinpipe'@'127.0.0.1';");
    expect(revoke).toBeGreaterThan(0);
    expect(revoke).toBeLessThan(sql.findIndex((l) => l.startsWith('GRANT')));
  });

  it('quotes a hostile database name, user and password instead of running them', () => {
    const sql = resourcesSql({
      ...mysql,
      database: 'd`; DROP DATABASE mysql; --',
      user: "u'x",
      password: "p'; --",
    });
    expect(sql).toContain('CREATE DATABASE IF NOT EXISTS `d``; DROP DATABASE mysql; --` CHARACTER SET');
    expect(sql).toContain("CREATE USER IF NOT EXISTS 'u''x'@'127.0.0.1' IDENTIFIED BY 'p''; --';");
    expect(sql).toContain("GRANT ALL PRIVILEGES ON `d``; DROP DATABASE mysql; --`.* TO 'u''x'@'localhost';");
  });
});

describe('the server process', () => {
  const paths = {
    dir: '/s/mysql',
    dataDir: '/s/mysql/data',
    socket: '/s/mysql/mysqld.sock',
    filesDir: '/s/mysql/files',
    tmpDir: '/s/mysql/tmp',
  };

  it('reads and writes files in the sandbox folder only, and runs as the account it is given', () => {
    const args = serverArgs(paths, 3307, { name: 'mysql', uid: 102, gid: 105, args: ['--user=mysql'] });
    expect(args).toContain('--secure-file-priv=/s/mysql/files');
    expect(args).toContain('--tmpdir=/s/mysql/tmp'); // not the caller's TMPDIR, which the account may not write
    expect(args).toContain('--user=mysql');
    expect(args.filter((a) => a.startsWith('--user'))).toEqual(['--user=mysql']);
    expect(serverArgs(paths, 3307, undefined).filter((a) => a.startsWith('--user'))).toEqual([]);
  });

  it('traversableBy: every folder from / down must let the account through', () => {
    const modes: Record<string, { uid: number; gid: number; mode: number }> = {
      '/': { uid: 0, gid: 0, mode: 0o755 },
      '/tmp': { uid: 0, gid: 0, mode: 0o1777 },
      '/tmp/run': { uid: 0, gid: 0, mode: 0o700 },
      '/tmp/run/sbx': { uid: 0, gid: 0, mode: 0o755 },
      '/tmp/grp': { uid: 0, gid: 105, mode: 0o710 },
    };
    const stat = ((p: string) => modes[p as string]!) as unknown as typeof fs.statSync;
    expect(traversableBy('/tmp', 102, 105, stat)).toBe(true);
    expect(traversableBy('/tmp/run/sbx', 102, 105, stat)).toBe(false);
    expect(traversableBy('/tmp/run/sbx', 0, 0, stat)).toBe(true);
    expect(traversableBy('/tmp/grp', 102, 105, stat)).toBe(true);
    expect(traversableBy('/tmp/grp', 103, 106, stat)).toBe(false);
  });
});

describe('serviceEnv: what a sandbox service inherits', () => {
  it('passes the allow-listed variables and the extras, never credentials or profile overrides', () => {
    const env = serviceEnv(
      { BIND_HOST: '127.0.0.1' },
      {
        PATH: '/usr/bin',
        HOME: '/root',
        LC_ALL: 'C.UTF-8',
        AWS_SECRET_ACCESS_KEY: 'secret',
        PINPIPE_MYSQL__PASSWORD: 'pw',
        GITHUB_TOKEN: 't',
      },
    );
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root', LC_ALL: 'C.UTF-8', BIND_HOST: '127.0.0.1' });
  });
});
