import { describe, expect, it } from 'vitest';
import { readEnv } from '../../../src/config/env.ts';
import { loadProfile } from '../../../src/config/load.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { sandboxServices } from '../../../sandbox/sandbox.ts';

// The profile files alone, without the real environment's overrides.
const load = (name: string) => loadProfile(name, readEnv({})).profile;

describe('the sandbox with the secured rehearsal profile', () => {
  it('starts and checks the broker on its plain listener (sandbox.kafkaPort), not the SASL one', () => {
    const secure = load('local-secure');
    expect(secure.kafka.brokers).toEqual(['127.0.0.1:9094']);
    const kafka = sandboxServices({ profile: secure, cacheDir: '/nonexistent' }).find(
      (s) => s.name === 'kafka',
    )!;
    expect(kafka.endpoint).toBe('127.0.0.1:9092');
  });

  it('still refuses a secured profile that names no plain listener', () => {
    const secure = load('local-secure');
    const noPlain = { ...secure, sandbox: { ...secure.sandbox, kafkaPort: undefined } };
    expect(() => sandboxServices({ profile: noPlain, cacheDir: '/nonexistent' })).toThrow(PinpipeError);
    expect(() => sandboxServices({ profile: noPlain, cacheDir: '/nonexistent' })).toThrow(
      /start the sandbox with the plain profile/,
    );
  });
});
