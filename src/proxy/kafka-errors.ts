import { httpErrors, ProxyHttpError } from './confluent-errors.ts';

/** Raised by our own deadline around a Kafka call, so a stopped broker never leaves a request hanging. */
export class KafkaDeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not complete within ${ms} ms`);
    this.name = 'KafkaDeadlineError';
  }
}

/** kafkajs errors that mean "the broker is not reachable": the client is rebuilt before the next call. */
const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSTimeout',
  // kafkajs's metadata lock timed out ("updating target topics"): the broker did not answer in time
  'KafkaJSLockTimeout',
  'KafkaDeadlineError',
]);

/** The error or one of its causes (kafkajs wraps what its retrier gives up on) means "unreachable". */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (CONNECTION_ERRORS.has(e.name)) return true;
  }
  return false;
}

/**
 * Maps a Kafka failure to Confluent's answer: 503 + 50003 when retrying may help (broker down,
 * timeouts, leader changes), 500 + 50002 otherwise (e.g. a record larger than the broker accepts).
 */
export function kafkaFailure(err: unknown): ProxyHttpError {
  if (err instanceof ProxyHttpError) return err;
  const e = err as { name?: string; message?: string; retriable?: boolean; type?: string; cause?: unknown };
  const message = String(e?.message ?? err).slice(0, 300);
  const causeRetriable = (e?.cause as { retriable?: boolean } | undefined)?.retriable === true;
  const retriable = isConnectionError(err) || e?.retriable === true || causeRetriable;
  return httpErrors.kafka(retriable, message);
}

/** Rejects with KafkaDeadlineError when `p` takes longer than `ms`; the underlying call is left to finish. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaDeadlineError(what, ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
