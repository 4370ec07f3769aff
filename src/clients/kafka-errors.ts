import { describeError } from '../errors.ts';

/**
 * What a kafkajs failure means, for every Kafka client of the project (the proxy, the sink, the
 * connection checks): the broker is not answering or not reachable, authentication failed, or kafkajs
 * says retrying may help. kafkajs wraps what its retrier gives up on (KafkaJSNumberOfRetriesExceeded,
 * KafkaJSNonRetriableError) with the original error as `cause`, so each question walks that chain.
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

/** Error names that mean "the broker is not answering or not reachable". */
const UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSTimeout',
  // the metadata lock timed out ("updating target topics"): the broker did not answer in time
  'KafkaJSLockTimeout',
  'KafkaDeadlineError',
]);

/**
 * kafkajs's broker throws a plain Error with this message when it is asked for anything before its
 * connection finished the ApiVersions handshake: a seed broker whose ApiVersions request timed out
 * (a stalled broker) counts as connected on the retry, and every later call fails this way until
 * the client is rebuilt.
 */
const NOT_CONNECTED = 'Broker not connected';

function unavailable(e: unknown): boolean {
  const name = nameOf(e);
  return UNAVAILABLE.has(name) || (name === 'Error' && (e as Error).message === NOT_CONNECTED);
}

/** The error, then what it wraps (`cause`, `originalError`, the first of `errors`), at most 8 deep. */
export function kafkaErrorChain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  while (cur && out.length < 8 && !out.includes(cur)) {
    out.push(cur);
    const c = cur as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
    cur = c.originalError ?? c.cause ?? c.errors?.[0];
  }
  return out;
}

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown } | undefined)?.name;
  return typeof n === 'string' ? n : '';
}

/** A kafkajs error (or our deadline around a kafkajs call), as opposed to one from our own code. */
export function isKafkaError(err: unknown): boolean {
  return nameOf(err).startsWith('KafkaJS');
}

/**
 * The broker is not answering or not reachable: a connection error or timeout anywhere in the chain,
 * or a retry wrapper around one. A broker that answered with a refusal (a protocol error) is not.
 */
export function isKafkaUnavailable(err: unknown): boolean {
  return kafkaErrorChain(err).some(unavailable);
}

/** Retrying may help: the broker is unavailable, or kafkajs marks the error (or what it wraps) retriable. */
export function isKafkaRetriable(err: unknown): boolean {
  if (isKafkaUnavailable(err)) return true;
  for (const e of kafkaErrorChain(err)) {
    // the wrapper's own flag says only that kafkajs stopped retrying; the wrapped error decides
    if (nameOf(e) === 'KafkaJSNonRetriableError') continue;
    return (e as { retriable?: unknown }).retriable === true;
  }
  return false;
}

const AUTH_TEXT = /SASL|authenticat|invalid_token|ILLEGAL_SASL_STATE|current SASL state/i;
const AUTH_ERROR = /SASL|authenticat/i;

/** The broker refused our credentials (SASL), or the failure says so in its text. */
export function isKafkaAuthError(err: unknown): boolean {
  return AUTH_TEXT.test(chainText(err));
}

/** The link of the chain that names the authentication failure (for the user's message). */
export function kafkaAuthCause(err: unknown): unknown {
  return kafkaErrorChain(err).find((e) => AUTH_ERROR.test(describeError(e))) ?? err;
}

/** The broker accepted the connection and then closed it (what a SASL/TLS listener does to a plain client). */
export function isKafkaConnectionClosed(err: unknown): boolean {
  return /ConnectionClosed|Closed connection/i.test(chainText(err));
}

function chainText(err: unknown): string {
  return kafkaErrorChain(err)
    .map((e) => `${nameOf(e)} ${describeError(e)}`)
    .join(' | ');
}

/** One line for a debug log: each link's name, retriable flag and message (no credentials are in them). */
export function describeKafkaChain(err: unknown): string {
  return kafkaErrorChain(err)
    .map((e) => {
      const r = (e as { retriable?: unknown }).retriable;
      const flag = typeof r === 'boolean' ? ` retriable=${r}` : '';
      return `${nameOf(e) || typeof e}${flag}: ${describeError(e).slice(0, 200)}`;
    })
    .join(' <- ');
}
