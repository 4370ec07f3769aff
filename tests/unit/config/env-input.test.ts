import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldAt, loadProfile, secretVariables } from '../../../src/config/load.ts';
import { parseLogLevel, readEnv } from '../../../src/config/env.ts';
import { topicNames } from '../../../src/config/schema.ts';
import { exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { runCli } from '../../helpers/run.ts';

/** Configuration input from the environment: secrets, bad values, unknown names, log levels. */
const root = path.resolve(import.meta.dirname, '..', '..', '..');

function envWith(vars: Record<string, string>) {
  return readEnv({ PINPIPE_ROOT: root, ...vars });
}

function loadError(name: string, vars: Record<string, string>): PinpipeError {
  try {
    loadProfile(name, envWith(vars));
  } catch (err) {
    if (err instanceof PinpipeError) return err;
    throw err;
  }
  throw new Error('loadProfile did not fail');
}

describe('secrets are never overrides', () => {
  it('PINPIPE_MYSQL_PASSWORD and PINPIPE_PROXY_API_KEY (secrets of the aws profile) leave the local profile alone', () => {
    const loaded = loadProfile(
      'local',
      envWith({ PINPIPE_MYSQL_PASSWORD: '[not: yaml', PINPIPE_PROXY_API_KEY: 'key-value-7f3a' }),
    );
    expect(loaded.profile.name).toBe('local');
    expect(loaded.profile.mysql.password).toBe('pinpipe-local');
    expect(loaded.warnings).toEqual([]);
  });

  it('every *Env name of every shipped profile counts as a secret', () => {
    // Read independently of the loader: every `<field>Env: NAME` line of profiles/*.yaml.
    const shipped = new Set<string>();
    for (const f of fs.readdirSync(path.join(root, 'profiles')).filter((n) => n.endsWith('.yaml'))) {
      const text = fs.readFileSync(path.join(root, 'profiles', f), 'utf8');
      for (const m of text.matchAll(/^\s*[A-Za-z]+Env:\s*([A-Z0-9_]+)/gm)) shipped.add(m[1]!);
    }
    expect(shipped).toContain('PINPIPE_MYSQL_PASSWORD');
    expect(shipped).toContain('PINPIPE_PROXY_API_KEY');
    expect([...secretVariables({}, root)].sort()).toEqual([...shipped].sort());
    expect(
      [...secretVariables({ kafka: { security: { tokenEnv: 'PINPIPE_MY_TOKEN' } } }, root)].sort(),
    ).toEqual([...shipped, 'PINPIPE_MY_TOKEN'].sort());
  });

  it('a secret named by the chosen profile is neither an override nor warned about', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-profile-'));
    const file = path.join(dir, 'p.yaml');
    const local = fs.readFileSync(path.join(root, 'profiles', 'local.yaml'), 'utf8');
    fs.writeFileSync(
      file,
      local.replace(
        '  password: pinpipe-local # throwaway password of the private sandbox server',
        '  passwordEnv: PINPIPE_DB_SECRET',
      ),
    );
    const loaded = loadProfile(file, envWith({ PINPIPE_DB_SECRET: 'hunter2: [' }));
    expect(loaded.profile.mysql.passwordEnv).toBe('PINPIPE_DB_SECRET');
    expect(loaded.warnings).toEqual([]);
  });
});

describe('bad overrides name the variable, never the value', () => {
  it('a value that is not valid YAML', () => {
    const err = loadError('local', { PINPIPE_MYSQL__PORT: '[unclosed-s3cr3t' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(exitCodeFor(err.code)).toBe(2);
    expect(err.message).toBe(
      'PINPIPE_MYSQL__PORT is not a valid value for its field (YAML MISSING_CHAR); the value is not shown. Fix or unset the variable.',
    );
    expect(err.message).not.toContain('s3cr3t');
  });

  it('a value the schema refuses', () => {
    const err = loadError('local', { PINPIPE_MYSQL__PORT: 'port-s3cr3t' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain(
      '  - mysql.port (from PINPIPE_MYSQL__PORT): Invalid input: expected number, received string',
    );
    expect(err.message).not.toContain('s3cr3t');
  });

  it('an empty host is refused, for every host field', () => {
    for (const [variable, field] of [
      ['PINPIPE_PROXY__HOST', 'proxy.host'],
      ['PINPIPE_MYSQL__HOST', 'mysql.host'],
    ] as const) {
      const err = loadError('local', { [variable]: '' });
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toContain(
        `  - ${field} (from ${variable}): a host name or IP address (not empty, no spaces)`,
      );
    }
    const broker = loadError('local', { PINPIPE_KAFKA__BROKERS: '[":9092"]' });
    expect(broker.message).toContain(
      '  - kafka.brokers.0 (from PINPIPE_KAFKA__BROKERS): host:port, e.g. 127.0.0.1:9092 (host not empty)',
    );
  });
});

describe('override values take their field type', () => {
  it('a numeric-looking PINPIPE_PIPELINE_ID stays a string', () => {
    const { profile } = loadProfile('local', envWith({ PINPIPE_PIPELINE_ID: '123456' }));
    expect(profile.pipelineId).toBe('123456');
    expect(topicNames(profile).pin).toBe('123456.pin');
  });

  it('numbers, booleans and lists of strings parse as YAML', () => {
    const { profile } = loadProfile(
      'local',
      envWith({
        PINPIPE_MYSQL__PORT: '3399',
        PINPIPE_S3__CREATE_BUCKET: 'false',
        PINPIPE_KAFKA__BROKERS: '[10.0.0.1:9092, b2:9092]',
      }),
    );
    expect(profile.mysql.port).toBe(3399);
    expect(profile.s3.createBucket).toBe(false);
    expect(profile.kafka.brokers).toEqual(['10.0.0.1:9092', 'b2:9092']);
  });

  it('fieldAt finds fields ignoring case and underscores, and nothing else', () => {
    expect(fieldAt(['SANDBOX', 'KAFKA_SASL_PORT'])).toEqual({
      keys: ['sandbox', 'kafkaSaslPort'],
      kind: 'number',
    });
    expect(fieldAt(['PIPELINE_ID'])).toEqual({ keys: ['pipelineId'], kind: 'string' });
    expect(fieldAt(['MYSQL', 'PASSWORDS'])).toBeUndefined();
    expect(fieldAt(['MYSQL_PASSWORD'])).toBeUndefined();
  });
});

describe('unknown PINPIPE_* names', () => {
  it('are ignored with one warning that names them and not their values', () => {
    const loaded = loadProfile(
      'local',
      envWith({ PINPIPE_MYSQL__PROT: '3308-v4lue', PINPIPE_BOGUS: 'v4lue' }),
    );
    expect(loaded.profile.mysql.port).toBe(3307);
    expect(loaded.warnings).toEqual([
      'ignoring PINPIPE_MYSQL__PROT, PINPIPE_BOGUS: not a pinpipe variable or profile field (see docs/environment.md).',
    ]);
  });
});

describe('log level', () => {
  it('accepts the documented levels in any case and refuses anything else without echoing it', () => {
    expect(parseLogLevel('WARN', 'PINPIPE_LOG_LEVEL')).toBe('warn');
    expect(envWith({ PINPIPE_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(envWith({}).logLevel).toBe('info');
    let err: unknown;
    try {
      envWith({ PINPIPE_LOG_LEVEL: 'bogus' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('USAGE');
    expect((err as PinpipeError).message).toBe(
      'PINPIPE_LOG_LEVEL must be one of debug, info, warn, error (or trace, fatal, silent). Fix or unset it.',
    );
  });

  it('PINPIPE_LOG_LEVEL=bogus makes even --help a one-line usage error (exit 2), no stack trace', async () => {
    const r = await runCli(['--help'], { env: { PINPIPE_LOG_LEVEL: 'bogus' }, timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /ERROR: PINPIPE_LOG_LEVEL must be one of debug, info, warn, error \(or trace, fatal, silent\)\. Fix or unset it\. \[USAGE\]$/,
    );
  });
});
