import { loadProfile, readEnv, type PinpipeEnv, type Profile } from '../../src/config/index.ts';

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
 * The variables that move the sandbox to other ports (a worktree's private sandbox, CI on a shared
 * machine). The integration project (vitest.config.ts sets PINPIPE_TEST_SANDBOX_PORTS in its workers)
 * honours them, as the global setup that starts the sandbox does; unit tests never do.
 */
const SANDBOX_PORT_VARIABLE =
  /^PINPIPE_(MYSQL__PORT|KAFKA__BROKERS|SANDBOX__KAFKA_CONTROLLER_PORT|SANDBOX__KAFKA_SASL_PORT|AWS__ENDPOINT|PROXY__PORT|PROXY__URL)$/;

/** The shell's sandbox port variables when this is an integration test, else none. */
export function sandboxPortVars(): Record<string, string> {
  if (process.env.PINPIPE_TEST_SANDBOX_PORTS !== 'from-env') return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && SANDBOX_PORT_VARIABLE.test(k)) out[k] = v;
  return out;
}

/**
 * The local sandbox profile (from an empty environment but the sandbox's ports), with optional field
 * overrides for one test.
 */
export function testProfile(patch: (p: Profile) => Profile = (p) => p): Profile {
  return patch(structuredClone(shippedProfile('local', sandboxPortVars())));
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
