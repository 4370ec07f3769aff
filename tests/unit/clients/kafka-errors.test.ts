import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  KafkaDeadlineError,
  describeKafkaChain,
  isKafkaAuthError,
  isKafkaError,
  isKafkaRetriable,
  isKafkaUnavailable,
} from '../../../src/clients/kafka-errors.ts';
import { kafkaFailure } from '../../../src/proxy/kafka-errors.ts';

/**
 * The classifier against the real kafkajs error classes, wrapped the way kafkajs's retrier wraps them
 * (retry/index.js: a retriable error past its retries becomes KafkaJSNumberOfRetriesExceeded, any other
 * a KafkaJSNonRetriableError, each with the original as `cause`).
 */
const {
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSNonRetriableError,
  KafkaJSLockTimeout,
  KafkaJSSASLAuthenticationError,
} = kafkajs;
const require = createRequire(import.meta.url);
/** kafkajs's own mapping of a broker's error code to its protocol error. */
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error & { type: string; retriable: boolean };
};

/** kafkajs's constructors take more than its type declarations say (a `cause`, a message). */
const construct = (C: unknown, ...args: unknown[]) =>
  new (C as new (...a: unknown[]) => Error & { retriable?: boolean })(...args);
const wrapNonRetriable = (e: Error) => construct(KafkaJSNonRetriableError, e, { cause: e });
const wrapRetriesExceeded = (e: Error) =>
  new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 1, retryTime: 100, cause: e } as never);

/** What a fresh client met when its first request reached a SIGSTOPped broker (seen in the proxy). */
const brokerNotConnected = () => new Error('Broker not connected');
const requestTimeout = () =>
  new KafkaJSRequestTimeoutError('Request ApiVersions(key: 18, version: 2) timed out', {
    broker: '127.0.0.1:9092',
    clientId: 'pinpipe',
    correlationId: 1,
    createdAt: 0,
    sentAt: 0,
    pendingDuration: 0,
  } as never);

const unavailable: Array<[string, () => unknown]> = [
  ['a seed broker whose handshake timed out: plain Error "Broker not connected"', brokerNotConnected],
  ['"Broker not connected" after the producer retried it', () => wrapRetriesExceeded(brokerNotConnected())],
  ['a request timeout', requestTimeout],
  ['a request timeout past the retries', () => wrapRetriesExceeded(requestTimeout())],
  ['a request timeout wrapped as non-retriable', () => wrapNonRetriable(requestTimeout())],
  [
    'a refused connection past the retries',
    () =>
      wrapRetriesExceeded(
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', {
          broker: '127.0.0.1:9092',
          code: 'ECONNREFUSED',
        } as never),
      ),
  ],
  [
    'the metadata lock timing out under a stalled broker',
    () => wrapNonRetriable(construct(KafkaJSLockTimeout, 'Timeout while acquiring lock (3 waiting locks)')),
  ],
  ['our own deadline around a call', () => new KafkaDeadlineError('Kafka send', 4000)],
];

describe('kafkajs error classification', () => {
  it.each(unavailable)('%s: unavailable, retriable, 503/50003', (_, make) => {
    const err = make();
    expect({
      unavailable: isKafkaUnavailable(err),
      retriable: isKafkaRetriable(err),
      auth: isKafkaAuthError(err),
      status: kafkaFailure(err).status,
      code: kafkaFailure(err).errorCode,
    }).toEqual({ unavailable: true, retriable: true, auth: false, status: 503, code: 50003 });
  });

  it("a record over the broker's size limit is a refusal: not unavailable, not retriable, 500/50002", () => {
    const tooLarge = createErrorFromCode(10);
    expect(tooLarge.type).toBe('MESSAGE_TOO_LARGE');
    for (const err of [new kafkajs.KafkaJSProtocolError(tooLarge), wrapNonRetriable(tooLarge)]) {
      expect({
        unavailable: isKafkaUnavailable(err),
        retriable: isKafkaRetriable(err),
        status: kafkaFailure(err).status,
        code: kafkaFailure(err).errorCode,
      }).toEqual({ unavailable: false, retriable: false, status: 500, code: 50002 });
    }
  });

  it('a partition without a leader is retriable (503) without Kafka being unavailable', () => {
    const noLeader = new kafkajs.KafkaJSProtocolError(createErrorFromCode(5));
    expect(noLeader.type).toBe('LEADER_NOT_AVAILABLE');
    expect([isKafkaUnavailable(noLeader), isKafkaRetriable(noLeader), kafkaFailure(noLeader).status]).toEqual(
      [false, true, 503],
    );
  });

  it('a refused SASL login is an auth error, not retriable (500/50002)', () => {
    const sasl = construct(
      KafkaJSSASLAuthenticationError,
      'SASL OAUTHBEARER authentication failed: invalid_token',
    );
    const err = wrapNonRetriable(sasl);
    expect({
      auth: isKafkaAuthError(err),
      unavailable: isKafkaUnavailable(err),
      retriable: isKafkaRetriable(err),
      status: kafkaFailure(err).status,
    }).toEqual({ auth: true, unavailable: false, retriable: false, status: 500 });
  });

  it('a plain error of our own code is neither a kafkajs error nor unavailable', () => {
    const ours = new Error('Broker is not connected to S3');
    expect([isKafkaError(ours), isKafkaUnavailable(ours), isKafkaRetriable(ours)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(isKafkaError(requestTimeout())).toBe(true);
  });

  it('describes the whole chain with names and retriable flags for the log', () => {
    expect(describeKafkaChain(wrapRetriesExceeded(requestTimeout()))).toBe(
      'KafkaJSNumberOfRetriesExceeded retriable=false: Request ApiVersions(key: 18, version: 2) timed out <- ' +
        'KafkaJSRequestTimeoutError retriable=true: Request ApiVersions(key: 18, version: 2) timed out',
    );
    expect(describeKafkaChain(brokerNotConnected())).toBe('Error: Broker not connected');
  });
});
