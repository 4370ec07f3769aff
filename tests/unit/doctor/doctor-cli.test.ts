import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/config/env.ts';
import { bareCli } from '../../helpers/bare-cli.ts';
import { freePort } from '../../../testkit/ports.ts';

// These tests run the real CLI against closed loopback ports and an empty AWS credential chain:
// nothing leaves the machine (instance metadata is disabled, no AWS hostname is contacted).
const cli = bareCli('pinpipe-doctor-');
const dir = cli.dir;
let closedPort = 0;

beforeAll(async () => {
  closedPort = await freePort();
});
afterAll(() => cli.cleanup());

/** An environment with no AWS credentials anywhere and instance metadata off. */
const bareEnv = cli.env;
const pinpipe = cli.run;

function writeProfile(base: string, patch: (raw: Record<string, unknown>) => void): string {
  const raw = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'profiles', `${base}.yaml`), 'utf8'));
  patch(raw);
  const file = path.join(dir, `${base}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, YAML.stringify(raw));
  return file;
}

describe('pinpipe doctor --profile aws on a machine without AWS access', { timeout: 60_000 }, () => {
  it('fails fast with a clear message naming the credentials step and the fix, non-zero exit', () => {
    // MySQL pointed at a closed loopback port so the check does not look up the example RDS host.
    const r = pinpipe(
      ['doctor', '--profile', 'aws'],
      bareEnv({ PINPIPE_MYSQL__HOST: '127.0.0.1', PINPIPE_MYSQL__PORT: String(closedPort) }),
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/FAIL credentials\s+no AWS credentials found/);
    expect(r.stdout).toMatch(/aws configure|aws sso login/);
    expect(r.stdout).toMatch(/skip kafka\s+needs AWS credentials/);
    expect(r.stderr).toMatch(/credentials failed.*\[DOCTOR_FAILED\]/);
  });

  it('--json gives one object with a verdict per check', () => {
    const r = pinpipe(
      ['doctor', '--profile', 'aws', '--json'],
      bareEnv({ PINPIPE_MYSQL__HOST: '127.0.0.1', PINPIPE_MYSQL__PORT: String(closedPort) }),
    );
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: Array<{ name: string; status: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.name)).toEqual([
      'credentials',
      'bucket',
      'kafka',
      'topics',
      'invoke-url',
      'mysql',
    ]);
    expect(report.checks.find((c) => c.name === 'credentials')?.status).toBe('fail');
  });
});

describe('bad input: a clear message naming the field, non-zero exit', { timeout: 60_000 }, () => {
  it('an unknown security mode', () => {
    const file = writeProfile(
      'aws',
      (r) => ((r.kafka as { security: { mode: string } }).security.mode = 'kerberos'),
    );
    const r = pinpipe(['doctor', '--profile', file], bareEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kafka\.security\.mode: must be one of none, msk-iam/);
  });

  it('a missing region', () => {
    const file = writeProfile('aws', (r) => delete r.region);
    const r = pinpipe(['doctor', '--profile', file], bareEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/region: required/);
  });
});

describe('no secret ever appears in doctor output or a failing command', { timeout: 90_000 }, () => {
  const secrets = {
    AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE0000',
    AWS_SECRET_ACCESS_KEY: 'fake-aws-secret-9f8e7d6c5b4a',
    AWS_SESSION_TOKEN: 'fake-session-token-0a1b2c3d4e5f',
    PINPIPE_TEST_DB_PASSWORD: 'fake-mysql-password-5e6f7a',
    PINPIPE_TEST_API_KEY: 'fake-api-key-1c2d3e4f',
    PINPIPE_TEST_KAFKA_TOKEN: 'fake-kafka-token-8b9c0d1e',
  };
  const secretValues = Object.entries(secrets)
    .filter(([k]) => k !== 'AWS_ACCESS_KEY_ID')
    .map(([, v]) => v);

  function secretProfile(): string {
    const closed = `127.0.0.1:${closedPort}`;
    return writeProfile('aws', (r) => {
      r.name = 'secret-test';
      r.aws = { credentials: 'default-chain', endpoint: `http://${closed}` };
      r.mysql = {
        host: '127.0.0.1',
        port: closedPort,
        database: 'pinterest_data',
        user: 'reader',
        passwordEnv: 'PINPIPE_TEST_DB_PASSWORD',
      };
      r.kafka = {
        brokers: [closed],
        security: { mode: 'sasl-oauthbearer', tokenEnv: 'PINPIPE_TEST_KAFKA_TOKEN' },
      };
      r.apiGateway = { restApiName: 'secret-test', stage: 'test', invokeUrl: `http://${closed}/test` };
      r.proxy = { host: '127.0.0.1', port: 8099, url: `http://${closed}`, apiKeyEnv: 'PINPIPE_TEST_API_KEY' };
    });
  }

  it('doctor (text, JSON, debug logs) prints none of the secret values', () => {
    const file = secretProfile();
    for (const args of [
      ['doctor', '--json'],
      ['--log-level', 'debug', 'doctor'],
    ]) {
      const r = pinpipe([...args, '--profile', file], bareEnv(secrets));
      expect(r.code).toBe(3);
      // every check ran against the closed port (the secrets were read), none stopped at the profile
      expect(r.stdout).toMatch(/127\.0\.0\.1:\d+\/pinterest_data: unreachable/);
      expect(r.stderr).toMatch(
        /credentials failed: STS GetCallerIdentity: .* unreachable.*\[DOCTOR_FAILED\]/,
      );
      for (const s of secretValues) {
        expect(r.stdout).not.toContain(s);
        expect(r.stderr).not.toContain(s);
      }
    }
  });

  it('a failing command prints none of the secret values either', () => {
    const file = secretProfile();
    const r = pinpipe(['--log-level', 'debug', 'emulate', '--profile', file], bareEnv(secrets));
    // past the profile and its secrets, stopped at the (closed) source database: exit 3
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /MySQL at 127\.0\.0\.1:\d+\/pinterest_data is unreachable.*\[SOURCE_UNREACHABLE\]/,
    );
    for (const s of secretValues) {
      expect(r.stdout + r.stderr).not.toContain(s);
    }
  });
});
