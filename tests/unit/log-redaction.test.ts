import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';

/** What createLogger writes for `write(logger)`, read back from a file. */
function logged(write: (logger: ReturnType<typeof createLogger>) => void): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-log-')), 'out.log');
  const fd = fs.openSync(file, 'w');
  try {
    write(createLogger('info', fd));
  } finally {
    fs.closeSync(fd);
  }
  return fs.readFileSync(file, 'utf8');
}

// Every secret name the logs must hide, spelled as callers and HTTP headers spell them. This list is
// the test's own: removing a name from src/log.ts's REDACT_KEYS fails it.
const SECRET_NAMES = [
  'password',
  'secretAccessKey',
  'sessionToken',
  'token',
  'apiKey',
  'x-api-key',
  'X-Pinpipe-Token',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'client_secret',
];

describe('log redaction', () => {
  it.each(SECRET_NAMES)(
    'hides %s at the top, three levels down, in a header map and inside arrays',
    (name) => {
      const value = `s3cr3t-${name.replace(/\W/g, '')}`;
      const out = logged((l) => {
        l.info({ [name]: value }, 'top');
        l.info({ profile: { mysql: { [name]: value } } }, 'deep');
        l.info({ req: { method: 'POST', headers: { host: 'h', [name]: value } } }, 'headers');
        l.info({ batches: [[{ creds: { [name]: value } }]] }, 'arrays');
        l.child({ [name]: value }).info('bound');
      });
      expect(out).not.toContain(value);
      expect(out.match(/\[redacted\]/g)).toHaveLength(5);
    },
  );

  it('keeps what is not a secret, e.g. the name of the variable a password comes from', () => {
    const out = logged((l) =>
      l.info({ profile: { mysql: { passwordEnv: 'PINPIPE_MYSQL_PASSWORD', port: 3307 } } }, 'ok'),
    );
    expect(out).toContain('PINPIPE_MYSQL_PASSWORD');
    expect(out).toContain('3307');
    expect(out).not.toContain('[redacted]');
  });
});
