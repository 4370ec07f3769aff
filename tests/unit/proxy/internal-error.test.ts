import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { KafkaBackend } from '../../../src/proxy/kafka-backend.ts';
import { startProxy } from '../../../src/proxy/index.ts';
import { testProfile } from '../../helpers/profile.ts';

/**
 * An unexpected failure inside the proxy (not a Kafka error, not a bad request) is Confluent's
 * 500 with error_code 50001, in the v2 JSON shape, and the proxy keeps serving. No Kafka is needed:
 * the failing call is the health check, made to throw here, and nothing else touches the broker.
 */
afterEach(() => {
  vi.restoreAllMocks();
});

describe('proxy internal error', () => {
  it('answers 500 with error_code 50001, then keeps answering', async () => {
    vi.spyOn(KafkaBackend.prototype, 'health').mockRejectedValue(new TypeError('an unexpected bug'));
    await using proxy = await startProxy({
      profile: testProfile(),
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    const res = await fetch(`${proxy.url}/health`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/vnd.kafka.v2+json');
    expect(((await res.json()) as { error_code: number }).error_code).toBe(50001);
    const root = await fetch(`${proxy.url}/`);
    expect(root.status).toBe(200);
    expect(await root.json()).toEqual({});
  });
});
