import { AuthenticationError, type SASLOptions } from '@platformatic/kafka';

/**
 * SASL/OAUTHBEARER pieces shared by the MSK IAM and the sandbox rehearsal modes:
 * a token cache that asks for a new token before the old one expires, the unsecured JWS the
 * sandbox broker accepts, and a check of the broker's answer that reports a refused token.
 */

export interface ExpiringToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiryTime: number;
}

/** Resolves to the token to send (the library calls it on every (re)authentication). */
export type TokenProvider = () => Promise<string>;

/**
 * Wraps a token source in a cache: the cached token is reused until it is within `marginMs` of its
 * expiry, then a new one is fetched. Concurrent callers (several broker connections) share one fetch.
 */
export function cachedTokenProvider(
  fetch: () => Promise<ExpiringToken>,
  opts: { marginMs: number; now?: () => number },
): TokenProvider & { fetches(): number } {
  const now = opts.now ?? Date.now;
  let cached: ExpiringToken | undefined;
  let inflight: Promise<ExpiringToken> | undefined;
  let fetches = 0;
  const provider = async (): Promise<string> => {
    if (cached && now() < cached.expiryTime - opts.marginMs) return cached.token;
    inflight ??= (async () => {
      fetches++;
      try {
        cached = await fetch();
        return cached;
      } finally {
        inflight = undefined;
      }
    })();
    return (await inflight).token;
  };
  return Object.assign(provider, { fetches: () => fetches });
}

/**
 * An unsecured JWS (RFC 7515 with `alg: none`, empty signature), what Kafka's
 * OAuthBearerUnsecuredValidatorCallbackHandler accepts. For the sandbox only: anyone can mint one.
 */
export function unsecuredJws(claims: {
  sub: string;
  scope: string[];
  lifetimeMs: number;
  nowMs: number;
}): ExpiringToken {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o), 'utf8').toString('base64url');
  const iat = Math.floor(claims.nowMs / 1000);
  const exp = iat + Math.max(1, Math.floor(claims.lifetimeMs / 1000));
  const token = `${b64({ alg: 'none' })}.${b64({ sub: claims.sub, iat, exp, scope: claims.scope.join(' ') })}.`;
  return { token, expiryTime: exp * 1000 };
}

/** The claims of a JWS (no verification): for tests and doctor verdicts. Undefined when not a JWS. */
export function jwsClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * SASL/OAUTHBEARER options for @platformatic/kafka. Its own exchange sends the RFC 7628 client
 * response; on a refusal the broker answers with a JSON error instead of an empty challenge (RFC 7628
 * §3.2.2). The library's validator for that answer reports only `invalid_token` (and calls back twice
 * then), so this one reports any non-empty answer as an AuthenticationError naming the broker's status
 * and required scope (never the token); the connection then fails and the broker drops it.
 */
export function oauthBearerSasl(provider: TokenProvider): SASLOptions {
  return {
    mechanism: 'OAUTHBEARER',
    token: async () => {
      const token = await provider();
      if (!token) throw new AuthenticationError('SASL OAUTHBEARER: no token to send');
      return token;
    },
    authBytesValidator: (authBytes, callback) => {
      if (authBytes.length === 0) {
        callback(null, authBytes);
        return;
      }
      callback(
        new AuthenticationError(
          `SASL OAUTHBEARER authentication failed: the broker refused the token (${describeChallenge(authBytes.toString('utf8'))})`,
        ),
        undefined as unknown as Buffer,
      );
    },
  };
}

/** The broker's RFC 7628 error JSON, e.g. {"status":"invalid_token","scope":"pinpipe"}; no secrets in it. */
export function describeChallenge(challenge: string): string {
  try {
    const j = JSON.parse(challenge) as { status?: string; scope?: string };
    const parts = [`status ${j.status ?? 'unknown'}`];
    if (j.scope) parts.push(`required scope "${j.scope.replace(/^\[|\]$/g, '')}"`);
    return parts.join(', ');
  } catch {
    return challenge.slice(0, 200);
  }
}
