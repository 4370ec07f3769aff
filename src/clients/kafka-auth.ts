import type { BaseOptions } from '@platformatic/kafka';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { type Profile, readSecret } from '../config/index.ts';
import { PinpipeError } from '../errors.ts';
import {
  isKafkaAuthError,
  isKafkaConnectionClosed,
  kafkaAuthCause,
  kafkaErrorChain,
  describeKafkaFailure,
} from './kafka-errors.ts';
import {
  cachedTokenProvider,
  jwsClaims,
  oauthBearerSasl,
  unsecuredJws,
  type TokenProvider,
} from './kafka-oauth.ts';

/** Ask for a new MSK IAM token this long before the current one expires (tokens live 15 minutes). */
export const MSK_IAM_REFRESH_MARGIN_MS = 2 * 60_000;

/** Seams for tests: credentials, the clock and the environment. Production passes nothing. */
export interface KafkaAuthDeps {
  credentials?: AwsCredentialIdentityProvider;
  now?: () => number;
  env?: NodeJS.ProcessEnv;
  generate?: typeof generateAuthTokenFromCredentialsProvider;
}

/**
 * TLS and SASL settings per kafka.security.mode: the one place that builds security for
 * every Kafka client (src/clients/kafka.ts calls it). 'none' is the sandbox default.
 */
export function kafkaSecurityConfig(
  profile: Profile,
  deps: KafkaAuthDeps = {},
): Pick<BaseOptions, 'tls' | 'sasl'> {
  const sec = profile.kafka.security;
  switch (sec.mode) {
    case 'none':
      return {};
    case 'ssl':
      return { tls: {} };
    case 'sasl-scram': {
      const password = readSecret(sec.passwordEnv, deps.env);
      if (!password) {
        throw new PinpipeError(
          'CONFIG_INVALID',
          `kafka.security.passwordEnv: sasl-scram needs its password in the environment variable ${sec.passwordEnv ?? '(unset)'}; export it and retry.`,
        );
      }
      return {
        tls: {},
        sasl: {
          mechanism: sec.mechanism === 'scram-sha-256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512',
          username: sec.username ?? '',
          password,
        },
      };
    }
    case 'sasl-oauthbearer':
      // The sandbox rehearsal listener is SASL_PLAINTEXT: no TLS, same OAUTHBEARER code path as MSK IAM.
      return { sasl: oauthBearerSasl(oauthBearerTokenProvider(profile, deps)) };
    case 'msk-iam':
      return { tls: {}, sasl: oauthBearerSasl(mskIamTokenProvider(mskRegion(profile), deps)) };
  }
}

/** The region MSK IAM tokens are signed for: kafka.security.region, else the profile's region. */
export function mskRegion(profile: Profile): string {
  const region = profile.kafka.security.region ?? profile.region;
  if (!region) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      'region: msk-iam signs tokens for a region; set region (or kafka.security.region).',
    );
  }
  return region;
}

/**
 * The AWS default credential chain (env, SSO, web identity, shared files, container/instance role)
 * with a short instance-metadata timeout, so a machine without AWS fails in seconds, not minutes.
 */
export function defaultCredentialChain(
  opts: { timeoutMs?: number; maxRetries?: number } = {},
): AwsCredentialIdentityProvider {
  return fromNodeProviderChain({ timeout: opts.timeoutMs ?? 1000, maxRetries: opts.maxRetries ?? 1 });
}

/**
 * MSK IAM: a token from aws-msk-iam-sasl-signer-js (a base64url presigned `kafka-cluster:Connect`
 * URL, valid 15 minutes) used as the OAUTHBEARER token, cached and renewed before it expires.
 */
export function mskIamTokenProvider(
  region: string,
  deps: KafkaAuthDeps = {},
): TokenProvider & { fetches(): number } {
  const credentials = deps.credentials ?? defaultCredentialChain();
  const generate = deps.generate ?? generateAuthTokenFromCredentialsProvider;
  return cachedTokenProvider(
    async () => {
      try {
        return await generate({ region, awsCredentialsProvider: credentials });
      } catch (err) {
        throw awsCredentialsError(err, 'sign the MSK IAM token');
      }
    },
    { marginMs: MSK_IAM_REFRESH_MARGIN_MS, now: deps.now },
  );
}

/**
 * sasl-oauthbearer: a token from the variable kafka.security.tokenEnv when set, else an unsecured
 * JWS minted for kafka.security.principal with kafka.security.scope (the sandbox rehearsal).
 */
export function oauthBearerTokenProvider(
  profile: Profile,
  deps: KafkaAuthDeps = {},
): TokenProvider & { fetches(): number } {
  const sec = profile.kafka.security;
  const now = deps.now ?? Date.now;
  if (sec.tokenEnv) {
    const name = sec.tokenEnv;
    if (!readSecret(name, deps.env)) {
      throw new PinpipeError(
        'CONFIG_INVALID',
        `kafka.security.tokenEnv: the variable ${name} is unset or empty; export the OAUTHBEARER token in it and retry.`,
      );
    }
    return cachedTokenProvider(
      async () => {
        const token = readSecret(name, deps.env) ?? '';
        const exp = jwsClaims(token)?.exp;
        // Opaque tokens: re-read the variable every minute.
        return { token, expiryTime: typeof exp === 'number' ? exp * 1000 : now() + 120_000 };
      },
      { marginMs: 60_000, now },
    );
  }
  if (!sec.principal) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      'kafka.security: sasl-oauthbearer needs principal (to mint a sandbox token) or tokenEnv (a variable holding a token).',
    );
  }
  const principal = sec.principal;
  return cachedTokenProvider(
    async () =>
      unsecuredJws({
        sub: principal,
        scope: sec.scope.split(/\s+/),
        lifetimeMs: sec.tokenLifetimeMs,
        nowMs: now(),
      }),
    { marginMs: Math.min(60_000, sec.tokenLifetimeMs / 5), now },
  );
}

/** True when the failure means the AWS credential chain found nothing usable. */
export function isCredentialsError(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | undefined;
  return (
    e?.name === 'CredentialsProviderError' ||
    /could not load credentials|credentials cannot be empty|unable to load credentials|no credentials/i.test(
      e?.message ?? '',
    )
  );
}

export function awsCredentialsError(err: unknown, what: string): PinpipeError | unknown {
  if (!isCredentialsError(err)) return err;
  return new PinpipeError(
    'AWS_CREDENTIALS_MISSING',
    `No AWS credentials found to ${what}. Configure the default chain: \`aws configure\` or \`aws sso login\`, ` +
      'AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an instance role.',
    { cause: err },
  );
}

/** What a Kafka failure means for a user: authentication, credentials, or an unreachable broker. */
export function kafkaFailure(err: unknown, profile: Profile, action = 'connect to Kafka'): PinpipeError {
  if (err instanceof PinpipeError) return err;
  const brokers = profile.kafka.brokers.join(',');
  const mode = profile.kafka.security.mode;
  const chain = kafkaErrorChain(err);
  const cred =
    chain.find((e) => err !== e && e instanceof PinpipeError) ?? chain.find((e) => isCredentialsError(e));
  if (cred instanceof PinpipeError) return cred;
  if (cred) return awsCredentialsError(cred, 'sign the MSK IAM token') as PinpipeError;
  if (isKafkaAuthError(err)) {
    return new PinpipeError(
      'KAFKA_AUTH_FAILED',
      `Kafka authentication failed (${mode}) at ${brokers}: ${(kafkaAuthCause(err) as Error).message.replace(/^SASL OAUTHBEARER authentication failed: /, '')}. ` +
        authFix(profile),
      { cause: err },
    );
  }
  if ((mode === 'none' || mode === 'ssl') && isKafkaConnectionClosed(err)) {
    // The broker accepted the TCP connection and then hung up on our first request: what a
    // SASL (or TLS) listener does to a client that does not authenticate.
    return new PinpipeError(
      'KAFKA_AUTH_FAILED',
      `Kafka at ${brokers} closed the connection on the first request: the listener probably requires ` +
        `authentication (SASL${mode === 'none' ? ' or TLS' : ''}) and this profile has kafka.security.mode "${mode}". ` +
        'Set kafka.security.mode (profiles/local-secure.yaml uses sasl-oauthbearer on 9094; MSK IAM uses msk-iam on 9098).',
      { cause: err },
    );
  }
  const fix = profile.sandbox.enabled
    ? 'Start the sandbox with `npm run sandbox:up`'
    : 'Check kafka.brokers in the profile and the network path (security groups, VPC)';
  return new PinpipeError(
    'KAFKA_UNAVAILABLE',
    `Could not ${action} at ${brokers}: ${describeKafkaFailure(err)}. ${fix}.`,
    {
      cause: err,
    },
  );
}

function authFix(profile: Profile): string {
  switch (profile.kafka.security.mode) {
    case 'msk-iam':
      return 'Check that your IAM identity may kafka-cluster:Connect (aws/iam-policy.json) and that the brokers are the IAM (port 9098) endpoints.';
    case 'sasl-oauthbearer':
      return `Check the token: it must be a valid, unexpired token with the scope the broker requires ("${profile.kafka.security.scope}").`;
    case 'sasl-scram':
      return 'Check kafka.security.username and the password variable.';
    default:
      return 'The brokers require authentication: set kafka.security.mode in the profile.';
  }
}
