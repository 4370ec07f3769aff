import { AuthenticationError, type SASLCustomAuthenticator, type SASLOptions } from '@platformatic/kafka';
import { z } from 'zod';
import { parseJson } from '../json.ts';

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
  const r = parseJson(
    Buffer.from(parts[1]!, 'base64url').toString('utf8'),
    z.record(z.string(), z.unknown()),
  );
  return r.ok ? r.value : undefined;
}

const SOH = '\u0001';

/**
 * SASL/OAUTHBEARER options for @platformatic/kafka with our own exchange (RFC 7628). On a refusal
 * the broker answers the client's first message with a JSON error instead of an empty challenge
 * (§3.2.2); the library's built-in exchange does not answer it, and its validator for that answer
 * reports only `invalid_token` (and then calls back twice). This one acknowledges a refusal with a
 * single %x01, as the RFC asks, and fails with an AuthenticationError naming the broker's status and
 * required scope (never the token); a token source that fails is an AuthenticationError whose cause
 * says why (e.g. AWS_CREDENTIALS_MISSING).
 */
export function oauthBearerSasl(provider: TokenProvider): SASLOptions {
  return { mechanism: 'OAUTHBEARER', token: provider, authenticate: oauthBearerExchange };
}

/** The exchange of oauthBearerSasl; `tokenProvider` is the options' `token`. */
export const oauthBearerExchange: SASLCustomAuthenticator = (
  _mechanism,
  connection,
  authenticate,
  _user,
  _password,
  tokenProvider,
  callback,
) => {
  const fail = (message: string, cause?: unknown) =>
    callback(new AuthenticationError(message, cause ? { cause: cause as Error } : {}), undefined as never);
  Promise.resolve(typeof tokenProvider === 'function' ? tokenProvider() : tokenProvider).then(
    (token) => {
      if (!token) return fail('SASL OAUTHBEARER: no token to send');
      authenticate(connection, Buffer.from(`n,,${SOH}auth=Bearer ${token}${SOH}${SOH}`), (err, answer) => {
        if (err || !answer || answer.authBytes.length === 0) {
          callback(err ?? null, answer as never);
          return;
        }
        // The refusal: acknowledge it so the broker ends the exchange cleanly, then report it.
        const reason = describeChallenge(answer.authBytes.toString('utf8'));
        authenticate(connection, Buffer.from(SOH), () =>
          fail(`SASL OAUTHBEARER authentication failed: the broker refused the token (${reason})`),
        );
      });
    },
    (err: unknown) => fail(`SASL OAUTHBEARER: could not obtain a token: ${(err as Error).message}`, err),
  );
};

const challengeSchema = z.object({ status: z.string().optional(), scope: z.string().optional() });

/** The broker's RFC 7628 error JSON, e.g. {"status":"invalid_token","scope":"pinpipe"}; no secrets in it. */
export function describeChallenge(challenge: string): string {
  const r = parseJson(challenge, challengeSchema);
  if (!r.ok) return challenge.slice(0, 200);
  const parts = [`status ${r.value.status ?? 'unknown'}`];
  if (r.value.scope) parts.push(`required scope "${r.value.scope.replace(/^\[|\]$/g, '')}"`);
  return parts.join(', ');
}
