import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { kafkaBaseOptions } from '../../../src/clients/kafka.ts';
import {
  MSK_IAM_REFRESH_MARGIN_MS,
  kafkaFailure,
  kafkaSecurityConfig,
  mskIamTokenProvider,
  oauthBearerTokenProvider,
} from '../../../src/clients/kafka-auth.ts';
import { jwsClaims } from '../../../src/clients/kafka-oauth.ts';
import { shippedProfile } from '../../helpers/profile.ts';
import type { Profile } from '../../../src/config/schema.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { AuthenticationError, MultipleErrors, NetworkError, ProtocolError } from '@platformatic/kafka';

// Fixed fake credentials (AWS's documentation example keys): nothing here reaches AWS.
const FAKE = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function awsProfile(patch: (p: Profile) => void = () => {}): Profile {
  const p = structuredClone(shippedProfile('aws'));
  patch(p);
  return p;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MSK IAM token provider', () => {
  it('yields the signer’s documented token shape for the profile region, from fixed credentials and clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const provider = mskIamTokenProvider('eu-west-1', { credentials: async () => FAKE });
    const value = await provider();
    // base64url without padding, of a presigned URL for kafka-cluster:Connect
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toBe(
      `${FAKE.accessKeyId}/20260115/eu-west-1/kafka-cluster/aws4_request`,
    );
    expect(url.searchParams.get('X-Amz-Date')).toBe('20260115T120000Z');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('User-Agent')).toMatch(/^aws-msk-iam-sasl-signer-js\//);
    // the secret key never travels in the token
    expect(Buffer.from(value, 'base64url').toString('utf8')).not.toContain(FAKE.secretAccessKey);
    expect(value).not.toContain(FAKE.secretAccessKey);
  });

  it('is deterministic for the same credentials and clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const a = await mskIamTokenProvider('us-east-1', { credentials: async () => FAKE })();
    const b = await mskIamTokenProvider('us-east-1', { credentials: async () => FAKE })();
    expect(a).toBe(b);
  });

  it('reuses the token until the refresh margin, then asks the signer for a new one before expiry', async () => {
    let clock = T0;
    const calls: number[] = [];
    const generate: typeof generateAuthTokenFromCredentialsProvider = async (opts) => {
      calls.push(clock);
      expect(opts.region).toBe('us-east-1');
      return { token: `token-${calls.length}`, expiryTime: clock + 900_000 };
    };
    const provider = mskIamTokenProvider('us-east-1', {
      credentials: async () => FAKE,
      now: () => clock,
      generate,
    });
    expect(await provider()).toBe('token-1');
    clock = T0 + 900_000 - MSK_IAM_REFRESH_MARGIN_MS - 1; // just before the margin: cached
    expect(await provider()).toBe('token-1');
    expect(provider.fetches()).toBe(1);
    clock = T0 + 900_000 - MSK_IAM_REFRESH_MARGIN_MS; // inside the margin, still before expiry: renewed
    expect(clock).toBeLessThan(T0 + 900_000);
    expect(await provider()).toBe('token-2');
    expect(provider.fetches()).toBe(2);
  });

  it('shares one signing among concurrent connections', async () => {
    let n = 0;
    const generate: typeof generateAuthTokenFromCredentialsProvider = async () => {
      n++;
      await new Promise((r) => setTimeout(r, 10));
      return { token: 't', expiryTime: Date.now() + 900_000 };
    };
    const provider = mskIamTokenProvider('us-east-1', { credentials: async () => FAKE, generate });
    await Promise.all([provider(), provider(), provider()]);
    expect(n).toBe(1);
  });

  it('turns credentials that cannot be found into AWS_CREDENTIALS_MISSING with the fix', async () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const provider = mskIamTokenProvider('us-east-1', {
      credentials: async () => {
        throw missing;
      },
    });
    const err = await provider().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('AWS_CREDENTIALS_MISSING');
    expect((err as PinpipeError).message).toMatch(/aws configure|aws sso login/);
  });
});

describe('the AWS profile builds TLS + OAUTHBEARER clients', () => {
  it('msk-iam: TLS on, SASL OAUTHBEARER whose token is signed for the profile region', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const profile = awsProfile((p) => (p.region = 'ap-southeast-2'));
    const cfg = kafkaBaseOptions(profile);
    expect(cfg.tls).toEqual({});
    expect(cfg.bootstrapBrokers).toEqual(profile.kafka.brokers);
    expect(cfg.sasl?.mechanism).toBe('OAUTHBEARER');
    const sec = kafkaSecurityConfig(profile, { credentials: async () => FAKE });
    const sasl = sec.sasl as { token: () => Promise<string>; authenticate: unknown };
    expect(typeof sasl.authenticate).toBe('function');
    const url = new URL(Buffer.from(await sasl.token(), 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.ap-southeast-2.amazonaws.com');
  });

  it('kafka.security.region overrides the profile region for signing', async () => {
    const profile = awsProfile((p) => (p.kafka.security.region = 'eu-central-1'));
    const sasl = kafkaSecurityConfig(profile, { credentials: async () => FAKE }).sasl as {
      token: () => Promise<string>;
    };
    const url = new URL(Buffer.from(await sasl.token(), 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-central-1.amazonaws.com');
  });

  it('local-secure: SASL_PLAINTEXT (no TLS) with an unsecured JWS for the principal and scope pinpipe', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const profile = shippedProfile('local-secure');
    const sec = kafkaSecurityConfig(profile);
    expect(sec.tls).toBeUndefined();
    expect(sec.sasl?.mechanism).toBe('OAUTHBEARER');
    const token = await (sec.sasl as { token: () => Promise<string> }).token();
    const [header, , signature] = token.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'none' });
    expect(signature).toBe('');
    expect(jwsClaims(token)).toEqual({
      sub: 'pinpipe-client',
      scope: 'pinpipe',
      iat: T0 / 1000,
      exp: T0 / 1000 + 3600,
    });
  });

  it('sasl-oauthbearer re-mints before the token expires', async () => {
    let clock = T0;
    const profile = shippedProfile('local-secure');
    profile.kafka.security.tokenLifetimeMs = 600_000;
    const provider = oauthBearerTokenProvider(profile, { now: () => clock });
    const first = await provider();
    clock += 600_000 - 60_000 - 1;
    expect(await provider()).toBe(first);
    clock += 1;
    expect(await provider()).not.toBe(first);
    expect(provider.fetches()).toBe(2);
  });

  it('sasl-oauthbearer with tokenEnv reads the token from that variable, and names it when unset', async () => {
    const profile = shippedProfile('local-secure');
    profile.kafka.security.tokenEnv = 'PINPIPE_TEST_KAFKA_TOKEN';
    const provider = oauthBearerTokenProvider(profile, { env: { PINPIPE_TEST_KAFKA_TOKEN: 'opaque-token' } });
    expect(await provider()).toBe('opaque-token');
    expect(() => oauthBearerTokenProvider(profile, { env: {} })).toThrow(
      /kafka\.security\.tokenEnv.*PINPIPE_TEST_KAFKA_TOKEN/,
    );
  });

  it('none is plain, ssl is TLS with the system CAs', () => {
    const local = shippedProfile('local');
    expect(kafkaSecurityConfig(local)).toEqual({});
    local.kafka.security.mode = 'ssl';
    expect(kafkaSecurityConfig(local)).toEqual({ tls: {} });
  });
});

describe('kafkaFailure', () => {
  const secure = () => shippedProfile('local-secure');
  const failedConnection = (cause: Error) =>
    new MultipleErrors('metadata failed 1 times.', [
      new NetworkError('Connection to 127.0.0.1:9094 failed.', { cause }),
    ]);
  it('maps a refused token to KAFKA_AUTH_FAILED naming authentication and the broker’s reason', () => {
    const e = kafkaFailure(
      failedConnection(
        new AuthenticationError(
          'SASL OAUTHBEARER authentication failed: the broker refused the token (status invalid_token)',
        ),
      ),
      secure(),
    );
    expect(e.code).toBe('KAFKA_AUTH_FAILED');
    expect(e.message).toMatch(
      /authentication failed \(sasl-oauthbearer\).*the broker refused the token \(status invalid_token\)/,
    );
    expect(e.message).toMatch(/scope/);
  });
  it('maps ILLEGAL_SASL_STATE from the broker to KAFKA_AUTH_FAILED', () => {
    const e = kafkaFailure(failedConnection(new ProtocolError('ILLEGAL_SASL_STATE')), secure());
    expect(e.code).toBe('KAFKA_AUTH_FAILED');
  });
  it('a token source that found no AWS credentials keeps its own code', () => {
    const missing = new PinpipeError('AWS_CREDENTIALS_MISSING', 'No AWS credentials found');
    const e = kafkaFailure(
      failedConnection(new AuthenticationError('could not obtain a token', { cause: missing })),
      secure(),
    );
    expect(e).toBe(missing);
  });
  it('maps a refused connection to KAFKA_UNAVAILABLE with the sandbox fix and the socket’s reason', () => {
    const e = kafkaFailure(
      failedConnection(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      ),
      secure(),
    );
    expect(e.code).toBe('KAFKA_UNAVAILABLE');
    expect(e.message).toMatch(/ECONNREFUSED 127\.0\.0\.1:9.*sandbox:up/);
  });
  it('a plain client closed by a SASL listener: KAFKA_AUTH_FAILED saying authentication may be required', () => {
    const e = kafkaFailure(new NetworkError('Connection closed'), shippedProfile('local'));
    expect(e.code).toBe('KAFKA_AUTH_FAILED');
    expect(e.message).toMatch(/requires authentication/);
  });
});
