import { describe, expect, it } from 'vitest';
import type { Connection } from '@platformatic/kafka';

interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}
import { jwsClaims, oauthBearerSasl, unsecuredJws } from '../../../src/clients/kafka-oauth.ts';

/** A fake broker side of SaslAuthenticate: answers each client message with the next challenge. */
function broker(challenges: string[]) {
  const sent: string[] = [];
  const authenticate = (
    _c: Connection,
    bytes: Buffer,
    cb: (e: Error | null, r?: SaslAuthenticateResponse) => void,
  ) => {
    sent.push(bytes.toString('utf8'));
    const authBytes = Buffer.from(challenges.shift() ?? '', 'utf8');
    queueMicrotask(() => cb(null, { errorCode: 0, errorMessage: null, authBytes, sessionLifetimeMs: 0n }));
  };
  return { sent, authenticate };
}

/** Runs the exchange of oauthBearerSasl(provider) against `b`; resolves with its error, if any. */
function exchange(provider: () => Promise<string>, b: ReturnType<typeof broker>): Promise<Error | null> {
  const sasl = oauthBearerSasl(provider);
  return new Promise((resolve) =>
    sasl.authenticate!(
      sasl.mechanism,
      {} as Connection,
      b.authenticate as never,
      undefined,
      undefined,
      sasl.token,
      ((err: Error | null) => resolve(err)) as never,
    ),
  );
}

describe('OAUTHBEARER exchange', () => {
  it('sends the RFC 7628 client response with the token and succeeds on an empty server answer', async () => {
    const b = broker(['']);
    expect(oauthBearerSasl(async () => 'x').mechanism).toBe('OAUTHBEARER');
    expect(await exchange(async () => 'tok.en.', b)).toBeNull();
    expect(b.sent).toEqual(['n,,\u0001auth=Bearer tok.en.\u0001\u0001']);
  });

  it('acknowledges a refusal with %x01 and fails naming authentication and the status, never the token', async () => {
    const b = broker(['{"status":"insufficient_scope","scope":"[pinpipe]"}', '']);
    const err = await exchange(async () => 'secret-token-value', b);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error & { code: string }).code).toBe('PLT_KFK_AUTHENTICATION');
    expect(err!.message).toMatch(/authentication failed.*insufficient_scope.*required scope "pinpipe"/);
    expect(err!.message).not.toContain('secret-token-value');
    expect(b.sent[1]).toBe('\u0001');
  });

  it('fails before sending anything when there is no token, or the token source fails', async () => {
    const b = broker([]);
    expect((await exchange(async () => '', b))!.message).toMatch(/no token/);
    const why = new Error('no credentials');
    const err = await exchange(async () => Promise.reject(why), b);
    expect(err!.message).toMatch(/could not obtain a token: no credentials/);
    expect(err!.cause).toBe(why);
    expect(b.sent).toEqual([]);
  });
});

describe('unsecured JWS', () => {
  it('has alg none, an empty signature and the claims Kafka’s unsecured validator reads', () => {
    const t = unsecuredJws({
      sub: 'me',
      scope: ['pinpipe', 'extra'],
      lifetimeMs: 90_000,
      nowMs: 1_700_000_000_500,
    });
    expect(t.token.endsWith('.')).toBe(true);
    expect(jwsClaims(t.token)).toEqual({
      sub: 'me',
      scope: 'pinpipe extra',
      iat: 1_700_000_000,
      exp: 1_700_000_090,
    });
    expect(t.expiryTime).toBe(1_700_000_090_000);
    expect(jwsClaims('opaque')).toBeUndefined();
  });
});
