import { describe, expect, it } from 'vitest';
import { Admission, type Ticket } from '../../../src/proxy/admission.ts';
import { httpErrors } from '../../../src/proxy/confluent-errors.ts';

const ticket = (t: Ticket | string): Ticket => {
  if (typeof t === 'string') throw new Error(`refused: ${t}`);
  return t;
};

describe('Admission (caps on requests and bytes in flight)', () => {
  it('admits up to maxRequestsInFlight requests, then refuses with "requests" until one is released', () => {
    const a = new Admission({ maxRequestsInFlight: 2, maxBytesInFlight: 1000 });
    const t1 = ticket(a.admit(10));
    ticket(a.admit(10));
    expect(a.admit(10)).toBe('requests');
    t1.release();
    t1.release(); // idempotent: a second release gives nothing back twice
    expect(a.inFlight).toEqual({ requests: 1, bytes: 10 });
    ticket(a.admit(10));
    expect(a.admit(0)).toBe('requests');
  });

  it('refuses a declared body that would pass maxBytesInFlight, and admits it once bytes are released', () => {
    const a = new Admission({ maxRequestsInFlight: 10, maxBytesInFlight: 1000 });
    const t1 = ticket(a.admit(600));
    expect(a.admit(401)).toBe('bytes');
    ticket(a.admit(400));
    expect(a.inFlight).toEqual({ requests: 2, bytes: 1000 });
    t1.release();
    expect(a.inFlight).toEqual({ requests: 1, bytes: 400 });
    ticket(a.admit(600));
  });

  it('always admits a request alone, even one larger than the byte cap (the body limit still bounds it)', () => {
    const a = new Admission({ maxRequestsInFlight: 10, maxBytesInFlight: 100 });
    const t = ticket(a.admit(500));
    expect(t.bytes).toBe(500);
    expect(a.admit(1)).toBe('bytes');
  });

  it('counts a body of unknown length while it is read and refuses the chunk that passes the cap', () => {
    const a = new Admission({ maxRequestsInFlight: 10, maxBytesInFlight: 1000 });
    ticket(a.admit(500));
    const chunked = ticket(a.admit(0));
    expect(chunked.grow(300)).toBe(true);
    expect(chunked.grow(200)).toBe(true);
    expect(chunked.grow(1)).toBe(false);
    expect(chunked.bytes).toBe(500);
    chunked.release();
    expect(chunked.grow(1)).toBe(false); // a released ticket holds nothing more
    expect(a.inFlight).toEqual({ requests: 1, bytes: 500 });
  });

  it('counts bytes still held by abandoned Kafka sends against the cap', () => {
    let abandoned = 900;
    const a = new Admission({ maxRequestsInFlight: 10, maxBytesInFlight: 1000 }, () => abandoned);
    expect(a.admit(200)).toBe('bytes');
    expect(a.inFlight).toEqual({ requests: 0, bytes: 900 });
    abandoned = 0;
    ticket(a.admit(200));
  });
});

describe('429 and Retry-After', () => {
  it('answers over a cap in Confluent v2 shape with error_code 429', () => {
    const e = httpErrors.tooManyRequests('bytes', 2);
    expect(e.status).toBe(429);
    expect(e.retryAfter).toBe(2);
    expect(e.body('rid-1')).toEqual({
      error_code: 429,
      message: 'Request rate limit exceeded: the proxy holds as many bytes as it may; retry after 2 s.',
    });
  });

  it('gives 5xx bodies a generic message and the request id, never the detail', () => {
    const e = httpErrors.kafka(true, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092 cluster abc');
    expect(e.status).toBe(503);
    expect(e.body('rid-2')).toEqual({
      error_code: 50003,
      message: 'Kafka error (retriable): Kafka is unavailable, retry later. (request id rid-2)',
      request_id: 'rid-2',
    });
    expect(JSON.stringify(httpErrors.internal('TypeError at /x/y.ts:1').body('rid-3'))).not.toMatch(
      /TypeError|y\.ts/,
    );
  });
});
