import {
  AuthenticationError,
  GenericError,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from '@platformatic/kafka';

/**
 * What a Kafka failure means, for every Kafka client of the project (the proxy, the sink, the
 * connection checks), read from @platformatic/kafka's typed errors, never from message text: the
 * broker is not answering or not reachable, authentication failed, or the library marks the failure
 * retriable. The library wraps failures (a NetworkError around the AuthenticationError of a refused
 * SASL exchange, a MultipleErrors or ResponseError around one error per retry or per partition), so
 * each question walks that tree.
 */

/** Raised by our own deadline around a Kafka call, so a stopped broker never leaves a caller hanging. */
export class KafkaDeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not complete within ${ms} ms`);
    this.name = 'KafkaDeadlineError';
  }
}

/** Rejects with KafkaDeadlineError when `p` takes longer than `ms`; the underlying call is left to finish. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaDeadlineError(what, ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Protocol errors that are a refusal of our credentials. */
const AUTH_PROTOCOL = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'ILLEGAL_SASL_STATE',
  'UNSUPPORTED_SASL_MECHANISM',
]);

/**
 * The error, then what it wraps (`cause`, every one of `errors`), depth first, at most 16 links.
 */
export function kafkaErrorChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const stack: unknown[] = [err];
  while (stack.length > 0 && out.length < 16) {
    const cur = stack.shift();
    if (!cur || out.includes(cur)) continue;
    out.push(cur);
    const c = cur as { cause?: unknown; errors?: unknown[] };
    const next: unknown[] = [];
    if (c.cause) next.push(c.cause);
    if (Array.isArray(c.errors)) next.push(...c.errors);
    stack.unshift(...next);
  }
  return out;
}

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown } | undefined)?.name;
  return typeof n === 'string' ? n : '';
}

/** One of the library's errors (or our deadline around a Kafka call), as opposed to one from our own code. */
export function isKafkaError(err: unknown): boolean {
  return err instanceof KafkaDeadlineError || (err instanceof Error && GenericError.isGenericError(err));
}

/** A link that says the broker did not answer: a network failure, a request timeout, our deadline. */
function unavailable(e: unknown): boolean {
  return e instanceof NetworkError || e instanceof TimeoutError || e instanceof KafkaDeadlineError;
}

function authLink(e: unknown): boolean {
  return (
    e instanceof AuthenticationError ||
    (e instanceof ProtocolError && AUTH_PROTOCOL.has((e as ProtocolError & { apiId?: string }).apiId ?? ''))
  );
}

/**
 * The broker is not answering or not reachable: a network error or timeout anywhere in the tree, and
 * not a refusal of our credentials. A broker that answered with a protocol error is not.
 */
export function isKafkaUnavailable(err: unknown): boolean {
  const chain = kafkaErrorChain(err);
  return chain.some(unavailable) && !chain.some(authLink);
}

/** Retrying may help: the broker is unavailable, or the library marks a protocol error retriable. */
export function isKafkaRetriable(err: unknown): boolean {
  if (isKafkaUnavailable(err)) return true;
  const chain = kafkaErrorChain(err);
  if (chain.some(authLink)) return false;
  return chain.some((e) => e instanceof ProtocolError && (e as { canRetry?: unknown }).canRetry === true);
}

/** The broker refused our credentials (a failed SASL exchange). */
export function isKafkaAuthError(err: unknown): boolean {
  return kafkaErrorChain(err).some(authLink);
}

/** The innermost link that names the authentication failure (for the user's message). */
export function kafkaAuthCause(err: unknown): unknown {
  const links = kafkaErrorChain(err).filter(authLink);
  return links.at(-1) ?? err;
}

/** The protocol error of the tree with this id (e.g. 'UNKNOWN_TOPIC_OR_PARTITION'), if any. */
export function kafkaProtocolError(err: unknown, apiId: string): ProtocolError | undefined {
  return kafkaErrorChain(err).find(
    (e): e is ProtocolError => e instanceof ProtocolError && (e as { apiId?: string }).apiId === apiId,
  );
}

/** Socket error codes of a peer that hung up. */
const HUNG_UP = new Set(['ECONNRESET', 'EPIPE']);

/**
 * The broker accepted the connection and then closed it before answering (what a SASL or TLS
 * listener does to a plain client): a NetworkError for the closed connection itself (no cause, not
 * our own client being closed), or one caused by the peer resetting the socket.
 */
export function isKafkaConnectionClosed(err: unknown): boolean {
  return kafkaErrorChain(err).some((e) => {
    if (!(e instanceof NetworkError) || (e as { closed?: unknown }).closed === true) return false;
    const code = (e.cause as { code?: unknown } | undefined)?.code;
    return e.cause === undefined || (typeof code === 'string' && HUNG_UP.has(code));
  });
}

/**
 * One line for a user: what failed (the outermost link) and why (the innermost one), e.g.
 * "Connection to 127.0.0.1:9092 failed: connect ECONNREFUSED 127.0.0.1:9092".
 */
export function describeKafkaFailure(err: unknown): string {
  const messages = kafkaErrorChain(err).map((e) => (e instanceof Error ? e.message : String(e)));
  const outer = (messages[0] ?? '').replace(/\.$/, '');
  const inner = messages.at(-1);
  return inner && inner !== messages[0] ? `${outer}: ${inner}` : outer;
}

/** One line for a debug log: each link's name, code, retriable flag and message (no credentials are in them). */
export function describeKafkaChain(err: unknown): string {
  return kafkaErrorChain(err)
    .map((e) => {
      const g = e as { code?: unknown; apiId?: unknown; canRetry?: unknown };
      const code =
        typeof g.apiId === 'string' ? ` ${g.apiId}` : typeof g.code === 'string' ? ` ${g.code}` : '';
      const flag = typeof g.canRetry === 'boolean' ? ` retriable=${g.canRetry}` : '';
      const message = e instanceof Error ? e.message : String(e);
      return `${nameOf(e) || typeof e}${code}${flag}: ${message.slice(0, 200)}`;
    })
    .join(' <- ');
}
