import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/load.ts';
import { readEnv } from '../../../src/config/env.ts';
import { PinpipeError } from '../../../src/errors.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-kafka-config-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a copy of profiles/<base>.yaml with a patch applied and loads it; returns the error if any. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form YAML under test
type Raw = Record<string, any>;

function loadPatched(base: string, patch: (raw: Raw) => void): unknown {
  const env = readEnv({});
  const raw = YAML.parse(fs.readFileSync(path.join(env.projectRoot, 'profiles', `${base}.yaml`), 'utf8'));
  patch(raw);
  const file = path.join(dir, `${base}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, YAML.stringify(raw));
  try {
    return loadProfile(file, env);
  } catch (err) {
    return err;
  }
}

function expectInvalid(err: unknown, field: RegExp): void {
  expect(err).toBeInstanceOf(PinpipeError);
  expect((err as PinpipeError).code).toBe('CONFIG_INVALID');
  expect((err as PinpipeError).message).toMatch(field);
}

describe('kafka.security in profiles', () => {
  it('an unknown security mode names the field and the allowed modes', () => {
    const err = loadPatched('aws', (r) => (r.kafka.security.mode = 'kerberos'));
    expectInvalid(err, /kafka\.security\.mode/);
    expect((err as Error).message).toMatch(/msk-iam/);
  });

  it('a missing region names the field', () => {
    const err = loadPatched('aws', (r) => delete r.region);
    expectInvalid(err, /region: required/);
  });

  it('msk-iam with a region that is not an AWS region names the field', () => {
    expectInvalid(
      loadPatched('aws', (r) => (r.region = 'local')),
      /region: msk-iam signs tokens/,
    );
    expectInvalid(
      loadPatched('aws', (r) => (r.kafka.security.region = 'nowhere')),
      /kafka\.security\.region: msk-iam/,
    );
  });

  it('msk-iam refuses the emulator’s static credentials', () => {
    const err = loadPatched('aws', (r) => {
      r.aws = { credentials: 'static', endpoint: 'http://127.0.0.1:4566' };
    });
    expectInvalid(err, /aws\.credentials: msk-iam/);
  });

  it('sasl-oauthbearer needs a principal or a token variable', () => {
    const err = loadPatched('local-secure', (r) => delete r.kafka.security.principal);
    expectInvalid(err, /sasl-oauthbearer needs principal/);
  });

  it('msk-iam on a non-IAM port is a warning, not an error', () => {
    const loaded = loadPatched('aws', (r) => (r.kafka.brokers = ['b-1.example:9092'])) as {
      warnings: string[];
    };
    expect(loaded.warnings.join('\n')).toMatch(/9098/);
  });

  it('a secret variable the profile names (PINPIPE_MYSQL_PASSWORD) is not read as a field override', () => {
    const env = readEnv({
      PINPIPE_MYSQL_PASSWORD: 'x',
      PINPIPE_PROXY_API_KEY: 'y',
      PINPIPE_MYSQL__PORT: '3310',
    });
    const loaded = loadProfile('aws', env);
    expect(loaded.profile.mysql.passwordEnv).toBe('PINPIPE_MYSQL_PASSWORD');
    expect(loaded.profile.mysql.port).toBe(3310);
  });

  it('the shipped profiles load: aws (msk-iam), local-secure (sasl-oauthbearer on 9094)', () => {
    const env = readEnv({});
    expect(loadProfile('aws', env).profile.kafka.security.mode).toBe('msk-iam');
    const secure = loadProfile('local-secure', env).profile;
    expect(secure.kafka.brokers).toEqual(['127.0.0.1:9094']);
    expect(secure.kafka.security).toMatchObject({ mode: 'sasl-oauthbearer', scope: 'pinpipe' });
    expect(secure.sandbox.enabled).toBe(true);
    expect(secure.pipelineId).not.toBe(loadProfile('local', env).profile.pipelineId);
  });
});
