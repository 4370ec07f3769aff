import kafkajs, {
  type AuthenticationProviderArgs,
  type Authenticator,
  type Mechanism,
  type OauthbearerProviderResponse,
} from 'kafkajs';

// kafkajs is CommonJS and re-exports its errors with a spread, which named ESM imports cannot see;
// its typings declare this constructor without the message it takes at run time.
const SaslError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

/**
 * SASL/OAUTHBEARER pieces shared by the MSK IAM and the sandbox rehearsal modes:
 * a token cache that asks for a new token before the old one expires, the unsecured JWS the
 * sandbox broker accepts, and an authenticator that notices when the broker refuses the token.
 */

export interface ExpiringToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiryTime: number;
}

export type TokenProvider = () => Promise<OauthbearerProviderResponse>;

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
  const provider = async (): Promise<OauthbearerProviderResponse> => {
    if (cached && now() < cached.expiryTime - opts.marginMs) return { value: cached.token };
    inflight ??= (async () => {
      fetches++;
      try {
        cached = await fetch();
        return cached;
      } finally {
        inflight = undefined;
      }
    })();
    return { value: (await inflight).token };
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

const SOH = '\u0001';

/**
 * A SASL/OAUTHBEARER mechanism for kafkajs. kafkajs's built-in one ignores the broker's answer, so a
 * refused token "succeeds" and the next request fails with an obscure ILLEGAL_SASL_STATE. Per RFC 7628
 * §3.2.2 a refusal is a JSON error in the server's challenge, which the client acknowledges with a
 * single %x01 before the broker closes the exchange; we do that and fail with a message naming
 * authentication and the broker's status (never the token).
 */
export function oauthBearerMechanism(
  provider: TokenProvider,
): Mechanism & { oauthBearerProvider: TokenProvider } {
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: provider,
    authenticationProvider: ({
      host,
      port,
      saslAuthenticate,
    }: AuthenticationProviderArgs): Authenticator => ({
      async authenticate() {
        const broker = `${host}:${port}`;
        let token: OauthbearerProviderResponse;
        try {
          token = await provider();
        } catch (err) {
          throw Object.assign(
            new SaslError(
              `SASL OAUTHBEARER: could not obtain a token for ${broker}: ${(err as Error).message}`,
            ),
            { cause: err },
          );
        }
        if (!token?.value) {
          throw new SaslError(`SASL OAUTHBEARER: no token to send to ${broker}`);
        }
        const message = `n,,${SOH}auth=Bearer ${token.value}${SOH}${SOH}`;
        let challenge: string;
        try {
          challenge = (await saslAuthenticate<string>({
            request: { encode: () => bytes(Buffer.from(message, 'utf8')) },
            response: { decode: (raw) => raw, parse: (data) => readBytes(data) },
          })) as string;
        } catch (err) {
          throw new SaslError(
            `SASL OAUTHBEARER authentication failed at ${broker}: ${(err as Error).message}`,
          );
        }
        if (challenge && challenge.length > 0) {
          // The refusal: acknowledge it so the broker ends the exchange cleanly, then report it.
          await saslAuthenticate({ request: { encode: () => bytes(Buffer.from(SOH, 'utf8')) } }).catch(
            () => {},
          );
          throw new SaslError(
            `SASL OAUTHBEARER authentication failed at ${broker}: the broker refused the token (${describeChallenge(challenge)})`,
          );
        }
      },
    }),
  };
}

/** kafkajs sends auth bytes as a Kafka BYTES field: int32 length, then the bytes. */
function bytes(buf: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(buf.length, 0);
  return Buffer.concat([len, buf]);
}

function readBytes(data: Buffer): string {
  if (data.length < 4) return '';
  const len = data.readInt32BE(0);
  if (len <= 0) return '';
  return data.subarray(4, 4 + len).toString('utf8');
}

/** The broker's RFC 7628 error JSON, e.g. {"status":"invalid_token","scope":"pinpipe"}; no secrets in it. */
function describeChallenge(challenge: string): string {
  try {
    const j = JSON.parse(challenge) as { status?: string; scope?: string };
    const parts = [`status ${j.status ?? 'unknown'}`];
    if (j.scope) parts.push(`required scope "${j.scope.replace(/^\[|\]$/g, '')}"`);
    return parts.join(', ');
  } catch {
    return challenge.slice(0, 200);
  }
}
