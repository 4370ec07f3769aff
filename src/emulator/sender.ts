import { Agent, request } from 'undici';
import pRetry from 'p-retry';
import { CONTENT_TYPE, produceBody, topicUrl } from './records.ts';
import {
  comeBackLater,
  interpretResponse,
  isRetryableError,
  type ComeBackLater,
  type ProduceOutcome,
} from './response.ts';
import {
  DEFAULT_THROTTLE,
  parseRetryAfter,
  sleep as defaultSleep,
  throttleWaitMs,
  type ThrottleOptions,
} from './throttle.ts';
import type { RecordValue, RetryOptions } from './types.ts';

export interface SendResult {
  outcome: ProduceOutcome | { kind: 'error'; message: string };
  attempts: number;
  latencyMs: number;
  /** "Come back later" answers this request got (429, Kafka unavailable), each waited out before retrying. */
  throttled: number;
}

/** A 5xx / 408 / 429 answer, thrown so p-retry retries it. */
class RetryableAnswer extends Error {
  /** Set when the answer asks to come back later (waited out outside the retry budget). */
  readonly later: ComeBackLater | undefined;
  constructor(
    readonly outcome: ProduceOutcome & { kind: 'retry' },
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP ${outcome.status}: ${outcome.message}`);
    this.later = comeBackLater(outcome, retryAfterMs);
  }
}

export interface Sender {
  send(topic: string, values: readonly RecordValue[], signal?: AbortSignal): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * Posts produce requests over kept-alive connections (one undici Agent, `connections` sockets per
 * origin), retrying network errors and 5xx with exponential backoff, never 4xx. A 429, or a
 * Kafka-unavailable answer (error_code 50003 in the body, or a 503 naming Retry-After), is waited out
 * as its Retry-After says (bounded by `throttle`) and retried without using up `retry.retries`.
 */
export function createSender(opts: {
  baseUrl: string;
  connections: number;
  retry: RetryOptions;
  headers?: Record<string, string>;
  throttle?: Partial<ThrottleOptions>;
  /** How waits are made (tests pass a recorder). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}): Sender {
  const throttle = { ...DEFAULT_THROTTLE, ...opts.throttle };
  const wait = opts.sleep ?? defaultSleep;
  const agent = new Agent({
    connections: opts.connections,
    keepAliveTimeout: 30_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const headers = {
    'content-type': CONTENT_TYPE,
    accept: 'application/vnd.kafka.v2+json, application/json',
    ...opts.headers,
  };

  async function attempt(url: string, body: string, records: number): Promise<ProduceOutcome> {
    const res = await request(url, { method: 'POST', headers, body, dispatcher: agent });
    const text = await res.body.text();
    const outcome = interpretResponse(res.statusCode, text, records);
    if (outcome.kind === 'retry')
      throw new RetryableAnswer(outcome, parseRetryAfter(res.headers['retry-after'], Date.now()));
    return outcome;
  }

  return {
    async send(topic, values, signal) {
      const url = topicUrl(opts.baseUrl, topic);
      const body = produceBody(values);
      const started = performance.now();
      let attempts = 0;
      let throttled = 0;
      // "Come back later": a 429, or Kafka unavailable behind the proxy (error_code 50003, which
      // survives API Gateway; or a 503 naming Retry-After). Waited out as asked, outside the retry
      // budget, so an outage of a minute is ridden out on the gateway path as on the direct one.
      const isThrottle = (e: unknown): e is RetryableAnswer =>
        e instanceof RetryableAnswer && e.later !== undefined;
      const retrying = () =>
        pRetry(
          () => {
            attempts++;
            return attempt(url, body, values.length);
          },
          {
            retries: opts.retry.retries,
            minTimeout: opts.retry.minTimeoutMs,
            maxTimeout: opts.retry.maxTimeoutMs,
            factor: 2,
            randomize: true,
            // Not `signal:` — p-retry would then discard an answer that arrives after Ctrl-C, and we
            // would report delivered records as failed. An interrupt only stops further retries.
            // A throttle is not retried here: it is waited out below, outside the retry budget.
            shouldRetry: ({ error }) =>
              !signal?.aborted &&
              !isThrottle(error) &&
              (error instanceof RetryableAnswer || isRetryableError(error)),
          },
        );
      for (;;) {
        try {
          const outcome = await retrying();
          return { outcome, attempts, latencyMs: performance.now() - started, throttled };
        } catch (err) {
          if (isThrottle(err) && throttled < throttle.maxThrottles && !signal?.aborted) {
            throttled++;
            const asked =
              err.retryAfterMs ?? (err.later === 'kafka-unavailable' ? throttle.unavailableMs : undefined);
            await wait(throttleWaitMs(asked, throttled, throttle), signal);
            if (!signal?.aborted) continue;
          } else if (isThrottle(err)) {
            throttled++;
          }
          const outcome =
            err instanceof RetryableAnswer
              ? err.outcome
              : { kind: 'error' as const, message: describeNetworkError(err) };
          return { outcome, attempts, latencyMs: performance.now() - started, throttled };
        }
      }
    },
    close: () => agent.close(),
  };
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const causeCode = typeof cause?.code === 'string' ? cause.code : undefined;
  const parts = [typeof code === 'string' ? code : undefined, causeCode, err.message].filter(Boolean);
  return [...new Set(parts)].join(': ');
}
