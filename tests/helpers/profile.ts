import { loadProfile } from '../../src/config/load.ts';
import { readEnv, type PinpipeEnv } from '../../src/config/env.ts';
import type { Profile } from '../../src/config/schema.ts';

/**
 * An environment built from the given variables only, never from the shell's: a PINPIPE_* variable
 * exported in the developer's shell cannot change what a test sees.
 */
export function emptyEnv(vars: Record<string, string> = {}): PinpipeEnv {
  return readEnv({ ...vars });
}

/** A shipped profile (default: local) as it loads with no PINPIPE_* variable set, plus `vars`. */
export function shippedProfile(name = 'local', vars: Record<string, string> = {}): Profile {
  return loadProfile(name, emptyEnv(vars)).profile;
}

/**
 * Where the running sandbox listens, when the shell names it (a worktree's private ports): the only
 * PINPIPE_* variables testProfile takes from the shell.
 */
const SANDBOX_LOCATION_VARS = [
  'PINPIPE_MYSQL__PORT',
  'PINPIPE_KAFKA__BROKERS',
  'PINPIPE_SANDBOX__KAFKA_CONTROLLER_PORT',
  'PINPIPE_SANDBOX__KAFKA_SASL_PORT',
  'PINPIPE_AWS__ENDPOINT',
  'PINPIPE_PROXY__PORT',
  'PINPIPE_PROXY__URL',
];

/**
 * The local sandbox profile (from an empty environment but the sandbox's location), with optional
 * field overrides for one test.
 */
export function testProfile(patch: (p: Profile) => Profile = (p) => p): Profile {
  const location: Record<string, string> = {};
  for (const name of SANDBOX_LOCATION_VARS) {
    const value = process.env[name];
    if (value) location[name] = value;
  }
  return patch(structuredClone(shippedProfile('local', location)));
}

/**
 * The environment for a child process a unit test starts: the shell's, minus every PINPIPE_*
 * variable (profile overrides) and AWS_* variable (credentials), plus `extra`.
 */
export function childEnvWithoutOverrides(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('PINPIPE_') && !k.startsWith('AWS_')) out[k] = v;
  }
  return { ...out, ...extra };
}
