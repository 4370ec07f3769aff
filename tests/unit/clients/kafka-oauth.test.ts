import { describe, expect, it } from 'vitest';
import type { AuthenticationProviderArgs, Logger } from 'kafkajs';
import { jwsClaims, oauthBearerMechanism, unsecuredJws } from '../../../src/clients/kafka-oauth.ts';

type Exchange = { sent: string[]; authenticate: AuthenticationProviderArgs['saslAuthenticate'] };

/** A fake broker side of SaslAuthenticate: answers each client message with the next challenge. */
function broker(challenges: string[]): Exchange {
  const sent: string[] = [];
  const authenticate = (async (args: {
    request: { encode(): Buffer | Promise<Buffer> };
    response?: { decode(b: Buffer): Buffer | Promise<Buffer>; parse(b: Buffer): unknown };
  }) => {
    const raw = await args.request.encode();
    sent.push(raw.subarray(4, 4 + raw.readInt32BE(0)).toString('utf8'));
    const body = Buffer.from(challenges.shift() ?? '', 'utf8');
    const framed = Buffer.concat([Buffer.alloc(4), body]);
    framed.writeInt32BE(body.length, 0);
    if (!args.response) return undefined;
    return args.response.parse(await args.response.decode(framed));
  }) as AuthenticationProviderArgs['saslAuthenticate'];
  return { sent, authenticate };
}

const args = (b: Exchange): AuthenticationProviderArgs => ({
  host: '127.0.0.1',
  port: 9094,
  logger: {} as Logger,
  saslAuthenticate: b.authenticate,
});

describe('OAUTHBEARER authenticator', () => {
  it('sends the RFC 7628 client response with the token and succeeds on an empty server answer', async () => {
    const b = broker(['']);
    const mech = oauthBearerMechanism(async () => ({ value: 'tok.en.' }));
    expect(mech.mechanism).toBe('oauthbearer');
    await mech.authenticationProvider(args(b)).authenticate();
    expect(b.sent).toEqual(['n,,\u0001auth=Bearer tok.en.\u0001\u0001']);
  });

  it('acknowledges a refusal with %x01 and fails naming authentication and the status, never the token', async () => {
    const b = broker(['{"status":"insufficient_scope","scope":"[pinpipe]"}', '']);
    const mech = oauthBearerMechanism(async () => ({ value: 'secret-token-value' }));
    const err = await mech
      .authenticationProvider(args(b))
      .authenticate()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('KafkaJSSASLAuthenticationError');
    expect((err as Error).message).toMatch(/authentication failed at 127\.0\.0\.1:9094.*insufficient_scope/);
    expect((err as Error).message).not.toContain('secret-token-value');
    expect(b.sent[1]).toBe('\u0001');
  });

  it('fails before sending anything when there is no token', async () => {
    const b = broker([]);
    const err = await oauthBearerMechanism(async () => ({ value: '' }))
      .authenticationProvider(args(b))
      .authenticate()
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(/no token/);
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
