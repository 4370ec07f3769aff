import { describe, expect, it } from 'vitest';
import { produceResponse, V2_CONTENT_TYPE } from '../../../src/proxy/responses.ts';
import { apiKeyMatches } from '../../../src/proxy/api-key.ts';
import { route, routeLabel } from '../../../src/proxy/router.ts';
import { httpErrors } from '../../../src/proxy/confluent-errors.ts';
import { KafkaDeadlineError, withDeadline } from '../../../src/clients/kafka-errors.ts';
import { kafkaFailure } from '../../../src/proxy/kafka-errors.ts';

describe('response shaping', () => {
  it("matches Confluent's produce response (docs/spec.md#produce-response)", () => {
    expect(produceResponse([{ partition: 0, offset: 42 }])).toEqual({
      offsets: [{ partition: 0, offset: 42, error_code: null, error: null }],
      key_schema_id: null,
      value_schema_id: null,
    });
    expect(JSON.stringify(produceResponse([{ partition: 0, offset: 42 }]))).toBe(
      '{"offsets":[{"partition":0,"offset":42,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}',
    );
    expect(V2_CONTENT_TYPE).toBe('application/vnd.kafka.v2+json');
  });
  it('shapes errors as {error_code, message}', () => {
    expect(httpErrors.topicNotFound('x').body()).toEqual({
      error_code: 40401,
      message: expect.stringMatching(/^Topic not found\./),
    });
    expect(httpErrors.topicNotFound('x').status).toBe(404);
    expect(httpErrors.tooLarge(10).status).toBe(413);
    expect(httpErrors.tooLarge(10).errorCode).toBe(413);
    expect(httpErrors.unauthorized().status).toBe(401);
  });
});

describe('route', () => {
  it('recognises the v2 paths and decodes topic names', () => {
    expect(route('/')).toEqual({ name: 'root' });
    expect(route('/health')).toEqual({ name: 'health' });
    expect(route('/topics')).toEqual({ name: 'topics' });
    expect(route('/topics/')).toEqual({ name: 'topics' });
    expect(route('/topics/0e7ae8feb921.pin')).toEqual({ name: 'topic', topic: '0e7ae8feb921.pin' });
    expect(route('/topics/a%20b')).toEqual({ name: 'topic', topic: 'a b' });
    expect(route('/topics/t/partitions/2')).toEqual({ name: 'partition', topic: 't', partition: '2' });
    expect(route('/consumers/x')).toBeUndefined();
    expect(route('/topics/t/extra')).toBeUndefined();
    expect(route('/topics/%E0%A4%A')).toBeUndefined();
    expect(route('/metrics')).toEqual({ name: 'metrics' });
    expect(route('/metrics/x')).toBeUndefined();
  });
  it('labels routes by their shape, never by the topic a client named', () => {
    expect(routeLabel(route('/topics/secret-topic'))).toBe('/topics/{topic}');
    expect(routeLabel(route('/topics/t/partitions/9'))).toBe('/topics/{topic}/partitions/{partition}');
    expect(routeLabel(route('/metrics'))).toBe('/metrics');
    expect(routeLabel(route('/'))).toBe('/');
    expect(routeLabel(route('/nowhere'))).toBe('unknown');
  });
});

describe('apiKeyMatches', () => {
  it('accepts only the exact key', () => {
    expect(apiKeyMatches('s3cret', 's3cret')).toBe(true);
    expect(apiKeyMatches('s3cret', 's3cre')).toBe(false);
    expect(apiKeyMatches('s3cret', 's3cret ')).toBe(false);
    expect(apiKeyMatches('s3cret', undefined)).toBe(false);
    expect(apiKeyMatches('s3cret', '')).toBe(false);
  });
});

describe('Kafka failures', () => {
  it('maps broker-down errors to 503/50003 and others to 500/50002', () => {
    const conn = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
    });
    expect(kafkaFailure(conn).status).toBe(503);
    expect(kafkaFailure(conn).errorCode).toBe(50003);
    expect(kafkaFailure(new KafkaDeadlineError('send', 10)).errorCode).toBe(50003);
    const tooLarge = Object.assign(
      new Error('The request included a message larger than the max message size'),
      {
        name: 'KafkaJSProtocolError',
        retriable: false,
        type: 'MESSAGE_TOO_LARGE',
      },
    );
    expect(kafkaFailure(tooLarge).status).toBe(500);
    // The client sees a generic message; Kafka's own words are kept for the log.
    expect(kafkaFailure(tooLarge).body()).toEqual({
      error_code: 50002,
      message: 'Kafka error: Kafka refused the records.',
    });
    expect(kafkaFailure(tooLarge).detail).toContain('max message size');
    const leader = Object.assign(new Error('no leader'), { name: 'KafkaJSProtocolError', retriable: true });
    expect(kafkaFailure(leader).errorCode).toBe(50003);
    // seen under overload while the broker was stalled: retriable, never the 500 of a refusal
    // (kafkajs's retrier wraps it: a KafkaJSNonRetriableError whose cause is the KafkaJSLockTimeout)
    const timeout = Object.assign(
      new Error('Timeout while acquiring lock (17 waiting locks): "updating target topics"'),
      { name: 'KafkaJSLockTimeout', retriable: false },
    );
    const lock = Object.assign(new Error(timeout.message, { cause: timeout }), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
    });
    expect({ status: kafkaFailure(lock).status, code: kafkaFailure(lock).errorCode }).toEqual({
      status: 503,
      code: 50003,
    });
  });
  it('withDeadline rejects a call that does not finish in time', async () => {
    await expect(withDeadline(new Promise(() => undefined), 20, 'Kafka send')).rejects.toBeInstanceOf(
      KafkaDeadlineError,
    );
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});
