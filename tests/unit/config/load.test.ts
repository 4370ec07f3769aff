import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyOverrides, loadProfile, listProfiles } from '../../../src/config/load.ts';
import { readEnv } from '../../../src/config/env.ts';
import { topicNames } from '../../../src/config/schema.ts';
import { PinpipeError } from '../../../src/errors.ts';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

function envWith(vars: Record<string, string>) {
  return readEnv({ PINPIPE_ROOT: root, ...vars });
}

function tempProfile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-profile-'));
  const file = path.join(dir, 'p.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('loadProfile', () => {
  it('loads the local profile by default with absolute sandbox folders', () => {
    const { profile } = loadProfile(undefined, envWith({}));
    expect(profile.name).toBe('local');
    expect(profile.sandbox.enabled).toBe(true);
    expect(path.isAbsolute(profile.sandbox.dir)).toBe(true);
    expect(topicNames(profile)).toEqual({
      pin: '0e7ae8feb921.pin',
      geo: '0e7ae8feb921.geo',
      user: '0e7ae8feb921.user',
    });
  });

  it('loads the aws template, which stores no secret', () => {
    const { profile } = loadProfile('aws', envWith({}));
    expect(profile.aws.credentials).toBe('default-chain');
    expect(profile.mysql.password).toBeUndefined();
    expect(profile.kafka.security.mode).toBe('msk-iam');
  });

  it('picks PINPIPE_PROFILE when no name is given', () => {
    const { profile } = loadProfile(undefined, envWith({ PINPIPE_PROFILE: 'aws' }));
    expect(profile.name).toBe('aws');
  });

  it('names the known profiles when one is unknown', () => {
    let err: unknown;
    try {
      loadProfile('nope', envWith({}));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('PROFILE_NOT_FOUND');
    expect((err as PinpipeError).message).toMatch(/local/);
    expect(listProfiles(root)).toContain('aws');
  });

  it('rejects malformed YAML with the file name', () => {
    const file = tempProfile('name: x\n  bad: [unclosed\n');
    expect(() => loadProfile(file, envWith({}))).toThrow(/not valid YAML/);
  });

  it('names every invalid field', () => {
    const file = tempProfile('name: x\npipelineId: "UPPER"\nregion: r\n');
    try {
      loadProfile(file, envWith({}));
      expect.unreachable();
    } catch (e) {
      expect((e as PinpipeError).code).toBe('CONFIG_INVALID');
      expect((e as Error).message).toMatch(/pipelineId/);
      expect((e as Error).message).toMatch(/mysql/);
    }
  });

  it('applies environment overrides under the PINPIPE_ prefix', () => {
    const { profile } = loadProfile(
      'local',
      envWith({
        PINPIPE_MYSQL__PORT: '3399',
        PINPIPE_PIPELINE_ID: 'abc123',
        PINPIPE_KAFKA__BROKERS: '[h:1, h:2]',
      }),
    );
    expect(profile.mysql.port).toBe(3399);
    expect(profile.pipelineId).toBe('abc123');
    expect(profile.kafka.brokers).toEqual(['h:1', 'h:2']);
  });

  it('refuses a stored password on a non-sandbox profile', () => {
    expect(() => loadProfile('aws', envWith({ PINPIPE_MYSQL__PASSWORD: 'x' }))).toThrow(/passwordEnv/);
  });
});

describe('applyOverrides', () => {
  it('creates missing nesting and keeps the input untouched', () => {
    const raw = { a: { bC: 1 } };
    const out = applyOverrides(raw, [{ path: ['A', 'B_C'], value: '2', variable: 'PINPIPE_A__B_C' }]);
    expect(out).toEqual({ a: { bC: 2 } });
    expect(raw.a.bC).toBe(1);
  });
});
