import { describe, expect, it } from 'vitest';
import { produceResponse, V2_CONTENT_TYPE } from '../../../src/proxy/responses.ts';
import { apiKeyMatches } from '../../../src/proxy/api-key.ts';
import { route, routeLabel } from '../../../src/proxy/router.ts';
import { httpErrors } from '../../../src/proxy/confluent-errors.ts';
import { KafkaDeadlineError, withDeadline } from '../../../src/clients/kafka-errors.ts';
import { kafkaFailure } from '../../../src/proxy/kafka-errors.ts';
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from '@platformatic/kafka';

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
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });
    const conn = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: refused });
    expect(kafkaFailure(conn).status).toBe(503);
    expect(kafkaFailure(conn).errorCode).toBe(50003);
    expect(kafkaFailure(conn).detail).toContain('ECONNREFUSED');
    // the library's retrier wraps every attempt's error
    expect(kafkaFailure(new MultipleErrors('produce failed 2 times.', [conn, conn])).errorCode).toBe(50003);
    expect(kafkaFailure(new TimeoutError('Request timed out')).errorCode).toBe(50003);
    expect(kafkaFailure(new KafkaDeadlineError('send', 10)).errorCode).toBe(50003);
    const tooLarge = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('MESSAGE_TOO_LARGE'),
    ]);
    expect(kafkaFailure(tooLarge).status).toBe(500);
    // The client sees a generic message; Kafka's own words are kept for the log.
    expect(kafkaFailure(tooLarge).body()).toEqual({
      error_code: 50002,
      message: 'Kafka error: Kafka refused the records.',
    });
    expect(kafkaFailure(tooLarge).detail).toContain('max message size');
    const leader = new MultipleErrors('Producing messages failed.', [
      new ProtocolError('LEADER_NOT_AVAILABLE'),
    ]);
    expect(kafkaFailure(leader).errorCode).toBe(50003);
    const auth = new NetworkError('Connection to 127.0.0.1:9094 failed.', {
      cause: new AuthenticationError('SASL OAUTHBEARER authentication failed'),
    });
    expect(kafkaFailure(auth).errorCode).toBe(50002);
  });
  it('withDeadline rejects a call that does not finish in time', async () => {
    await expect(withDeadline(new Promise(() => undefined), 20, 'Kafka send')).rejects.toBeInstanceOf(
      KafkaDeadlineError,
    );
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
  });
});
