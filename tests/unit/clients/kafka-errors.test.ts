import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  ResponseError,
  TimeoutError,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import {
  KafkaDeadlineError,
  describeKafkaChain,
  describeKafkaFailure,
  isKafkaAuthError,
  isKafkaConnectionClosed,
  isKafkaError,
  isKafkaRetriable,
  isKafkaUnavailable,
} from '../../../src/clients/kafka-errors.ts';
import { kafkaFailure } from '../../../src/proxy/kafka-errors.ts';

/**
 * The classifier against @platformatic/kafka's own error classes, wrapped the way the library wraps
 * them: a connection failure is a NetworkError with the socket's error as `cause`; an operation past
 * its retries is a MultipleErrors of every attempt's error; a broker's error codes come as a
 * ResponseError holding one ProtocolError per failed partition (kafka's error code table).
 */
const refused = () =>
  new NetworkError('Connection to 127.0.0.1:9092 failed.', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }),
  });
/** What a client meets when a SIGSTOPped broker accepts the connection and never answers. */
const requestTimeout = () => new TimeoutError('Request timed out');
const retried = (...errors: Error[]) => new MultipleErrors(`metadata failed ${errors.length} times.`, errors);
/** A broker's answer with error code `code` for one partition (Produce, API key 0). */
const brokerSays = (code: number) => new ResponseError(0, 9, { '/topics/0/partitions/0': [code, null] }, {});

const unavailable: Array<[string, () => unknown]> = [
  ['a refused connection', refused],
  ['a refused connection past the retries', () => retried(refused(), refused())],
  ['a request timeout (a paused broker)', requestTimeout],
  ['a request timeout past the retries', () => retried(refused(), requestTimeout())],
  ['a closed connection', () => new NetworkError('Connection closed')],
  ['our own deadline around a call', () => new KafkaDeadlineError('Kafka send', 4000)],
];

describe('Kafka error classification', () => {
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
    const tooLarge = brokerSays(10);
    expect((tooLarge.errors[0] as ProtocolError & { apiId: string }).apiId).toBe('MESSAGE_TOO_LARGE');
    for (const err of [tooLarge, new MultipleErrors('Producing messages failed.', [tooLarge])]) {
      expect({
        unavailable: isKafkaUnavailable(err),
        retriable: isKafkaRetriable(err),
        status: kafkaFailure(err).status,
        code: kafkaFailure(err).errorCode,
      }).toEqual({ unavailable: false, retriable: false, status: 500, code: 50002 });
    }
  });

  it('a partition without a leader is retriable (503) without Kafka being unavailable', () => {
    const noLeader = brokerSays(5);
    expect((noLeader.errors[0] as ProtocolError & { apiId: string }).apiId).toBe('LEADER_NOT_AVAILABLE');
    expect([isKafkaUnavailable(noLeader), isKafkaRetriable(noLeader), kafkaFailure(noLeader).status]).toEqual(
      [false, true, 503],
    );
  });

  it.each([
    ['a refused token (our OAUTHBEARER exchange)', new AuthenticationError('the broker refused the token')],
    ['SASL_AUTHENTICATION_FAILED from the broker', new ProtocolError('SASL_AUTHENTICATION_FAILED')],
    ['ILLEGAL_SASL_STATE from the broker', new ProtocolError('ILLEGAL_SASL_STATE')],
  ])('%s inside the failed connection is an auth error, not retriable (500/50002)', (_, cause) => {
    const err = retried(new NetworkError('Connection to 127.0.0.1:9094 failed.', { cause }));
    expect({
      auth: isKafkaAuthError(err),
      unavailable: isKafkaUnavailable(err),
      retriable: isKafkaRetriable(err),
      status: kafkaFailure(err).status,
    }).toEqual({ auth: true, unavailable: false, retriable: false, status: 500 });
  });

  it('a connection the broker closed or reset is "closed"; a refused one or our own closed client is not', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect([
      isKafkaConnectionClosed(retried(new NetworkError('Connection closed'))),
      isKafkaConnectionClosed(new NetworkError('Connection to 127.0.0.1:9094 failed.', { cause: reset })),
      isKafkaConnectionClosed(retried(refused())),
      isKafkaConnectionClosed(new NetworkError('Client is closed.', { closed: true })),
    ]).toEqual([true, true, false, false]);
  });

  it('a plain error of our own code is neither a Kafka error nor unavailable', () => {
    const ours = new Error('Connection to S3 failed.');
    expect([isKafkaError(ours), isKafkaUnavailable(ours), isKafkaRetriable(ours)]).toEqual([
      false,
      false,
      false,
    ]);
    expect(isKafkaError(requestTimeout())).toBe(true);
    expect(isKafkaError(new KafkaDeadlineError('Kafka send', 1))).toBe(true);
  });

  it('says what failed and why in one line, and the whole tree for the log', () => {
    expect(describeKafkaFailure(retried(refused()))).toBe(
      'metadata failed 1 times: connect ECONNREFUSED 127.0.0.1:9092',
    );
    expect(describeKafkaChain(retried(requestTimeout()))).toBe(
      'AggregateError PLT_KFK_MULTIPLE: metadata failed 1 times. <- ' +
        'Error PLT_KFK_NETWORK retriable=false: Request timed out',
    );
  });
});
