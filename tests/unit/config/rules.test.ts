import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { kafkaSecurityConfig } from '../../../src/clients/kafka-auth.ts';
import { PROJECT_ROOT } from '../../../src/config/env.ts';
import { loadProfile } from '../../../src/config/load.ts';
import { checkProfile } from '../../../src/config/rules.ts';
import type { Profile } from '../../../src/config/schema.ts';
import { emptyEnv, shippedProfile } from '../../helpers/profile.ts';

/** The profile rules a schema cannot express, one case each, on profiles built from an empty env. */
function local(patch: (p: Profile) => void): Profile {
  const p = structuredClone(shippedProfile('local'));
  patch(p);
  return p;
}

function scram(sec: Partial<Profile['kafka']['security']>): Profile {
  return local((p) => {
    p.kafka.security = { ...p.kafka.security, mode: 'sasl-scram', ...sec };
  });
}

const SCRAM_ERROR = 'kafka.security: sasl-scram needs mechanism, username and passwordEnv.';

describe('profile rules', () => {
  it('the shipped local profile breaks no rule', () => {
    expect(checkProfile(shippedProfile('local'))).toEqual({ errors: [], warnings: [] });
  });

  it('static credentials without an endpoint are refused: they only exist for an emulator', () => {
    const p = local((x) => {
      x.aws = { credentials: 'static' };
    });
    expect(checkProfile(p).errors).toEqual([
      'aws.credentials: "static" is only for an emulator; set aws.endpoint or use "default-chain".',
    ]);
    // and loading such a file fails with CONFIG_INVALID naming the field
    const raw = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'profiles', 'local.yaml'), 'utf8'));
    raw.aws = { credentials: 'static' };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-rules-'));
    const file = path.join(dir, 'static.yaml');
    fs.writeFileSync(file, YAML.stringify(raw));
    try {
      expect(() => loadProfile(file, emptyEnv())).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          message: expect.stringContaining('aws.credentials: "static"'),
        }),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('static credentials with an endpoint are accepted', () => {
    expect(
      checkProfile(local((x) => (x.aws = { credentials: 'static', endpoint: 'http://127.0.0.1:1' }))).errors,
    ).toEqual([]);
  });

  it('password together with passwordEnv is refused', () => {
    const p = local((x) => {
      x.mysql = { ...x.mysql, password: 'pw', passwordEnv: 'SOME_VAR' };
    });
    expect(checkProfile(p).errors).toEqual([
      'mysql: set either password (sandbox only) or passwordEnv, not both.',
    ]);
  });

  it.each([
    ['mechanism', { username: 'u', passwordEnv: 'SCRAM_PW' }],
    ['username', { mechanism: 'scram-sha-512', passwordEnv: 'SCRAM_PW' }],
    ['passwordEnv', { mechanism: 'scram-sha-512', username: 'u' }],
  ] as const)('sasl-scram without %s is refused', (_missing, sec) => {
    expect(checkProfile(scram(sec)).errors).toEqual([SCRAM_ERROR]);
  });

  it('sasl-scram with mechanism, username and passwordEnv passes and builds TLS + SCRAM from the variable', () => {
    const p = scram({ mechanism: 'scram-sha-256', username: 'alice', passwordEnv: 'SCRAM_PW' });
    expect(checkProfile(p).errors).toEqual([]);
    expect(kafkaSecurityConfig(p, { env: { SCRAM_PW: 's3cret' } })).toEqual({
      tls: {},
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 's3cret' },
    });
  });

  it('sasl-scram with its password variable unset fails with CONFIG_INVALID naming the variable', () => {
    const p = scram({ mechanism: 'scram-sha-512', username: 'alice', passwordEnv: 'SCRAM_PW' });
    expect(() => kafkaSecurityConfig(p, { env: {} })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('SCRAM_PW') }),
    );
  });
});

describe('profile strings that become file and folder names', () => {
  it('sink.groupId and s3.topicsDir with ".." or a path separator are refused, naming the field', () => {
    const bad: Array<[string, (p: Profile) => void, RegExp]> = [
      ['group ..', (p) => void (p.sink.groupId = '../../etc/cron.d/x'), /^sink\.groupId: /],
      ['group /', (p) => void (p.sink.groupId = 'a/b'), /^sink\.groupId: /],
      ['group \\', (p) => void (p.sink.groupId = 'a\\b'), /^sink\.groupId: /],
      ['topicsDir ..', (p) => void (p.s3.topicsDir = '../outside'), /^s3\.topicsDir: /],
      ['topicsDir inner ..', (p) => void (p.s3.topicsDir = 'topics/../../x'), /^s3\.topicsDir: /],
      ['topicsDir absolute', (p) => void (p.s3.topicsDir = '/etc'), /^s3\.topicsDir: /],
      ['topicsDir \\', (p) => void (p.s3.topicsDir = 'a\\..\\b'), /^s3\.topicsDir: /],
    ];
    for (const [what, patch, message] of bad) {
      const { errors } = checkProfile(local(patch));
      expect(errors, what).toHaveLength(1);
      expect(errors[0], what).toMatch(message);
      expect(errors[0], what).toContain('file name');
    }
    // what the sink and the connector use stays valid
    for (const patch of [
      (p: Profile) => void (p.sink.groupId = 'connect-0e7ae8feb921.sink_v2'),
      (p: Profile) => void (p.s3.topicsDir = 'data/topics'),
      (p: Profile) => void (p.s3.topicsDir = 'topics'),
    ])
      expect(checkProfile(local(patch)).errors).toEqual([]);
  });

  it('loading such a profile fails with CONFIG_INVALID (exit 2) before anything runs', () => {
    let err: unknown;
    try {
      loadProfile('local', emptyEnv({ PINPIPE_SINK__GROUP_ID: '../x' }));
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toContain('sink.groupId: ');
  });
});
