import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/emulator/prng.ts';
import {
  comeBackLater,
  interpretResponse,
  interpretResponseBySchema,
  isRetryableError,
  isRetryableStatus,
} from '../../../src/emulator/response.ts';

const ok = (n: number, bad: number[] = []) =>
  JSON.stringify({
    offsets: Array.from({ length: n }, (_, i) =>
      bad.includes(i)
        ? { partition: null, offset: null, error_code: 50002, error: 'Kafka error' }
        : { partition: 0, offset: i, error_code: null, error: null },
    ),
    key_schema_id: null,
    value_schema_id: null,
  });

describe('retry classification', () => {
  it('retries 5xx, 408 and 429; never other 4xx', () => {
    for (const s of [500, 502, 503, 504, 408, 429]) expect(isRetryableStatus(s)).toBe(true);
    for (const s of [400, 401, 403, 404, 413, 415, 422]) expect(isRetryableStatus(s)).toBe(false);
  });

  it('tells "come back later" answers from failures, by status, error_code and Retry-After', () => {
    const later = (status: number, errorCode: number | null, retryAfterMs?: number) =>
      comeBackLater({ status, errorCode }, retryAfterMs);
    expect(later(429, 429)).toBe('throttled');
    expect(later(429, null, 2000)).toBe('throttled');
    // Kafka unavailable: the proxy's 503 + Retry-After (direct), or its body alone (through API Gateway)
    expect(later(503, 50003, 1000)).toBe('kafka-unavailable');
    expect(later(503, 50003)).toBe('kafka-unavailable');
    expect(later(500, 50003)).toBe('kafka-unavailable');
    expect(later(503, null, 1000)).toBe('kafka-unavailable');
    // ordinary failures: retried within the budget
    for (const [status, code] of [
      [503, 50002],
      [503, null],
      [500, 50001],
      [502, null],
      [504, null],
      [408, null],
    ] as const)
      expect(later(status, code)).toBeUndefined();
    expect(later(400, 50003)).toBeUndefined();
  });

  it('maps answers to ok / retry / reject with the Confluent error body', () => {
    expect(interpretResponse(200, ok(3), 3)).toEqual({ kind: 'ok', failed: [] });
    expect(interpretResponse(404, '{"error_code":40401,"message":"Topic not found."}', 1)).toEqual({
      kind: 'reject',
      status: 404,
      errorCode: 40401,
      message: 'Topic not found.',
    });
    expect(interpretResponse(503, '{"error_code":50003,"message":"Kafka unavailable"}', 1)).toMatchObject({
      kind: 'retry',
      errorCode: 50003,
    });
    expect(interpretResponse(502, '<html>Bad Gateway</html>', 1)).toMatchObject({
      kind: 'retry',
      errorCode: null,
      message: '<html>Bad Gateway</html>',
    });
    expect(interpretResponse(415, '', 1)).toMatchObject({
      kind: 'reject',
      message: 'HTTP 415 with an empty body',
    });
  });

  it('counts records with a per-record error_code as failed', () => {
    const r = interpretResponse(200, ok(4, [1, 3]), 4);
    expect(r.kind).toBe('ok');
    expect(r.kind === 'ok' && r.failed.map((f) => [f.index, f.errorCode])).toEqual([
      [1, 50002],
      [3, 50002],
    ]);
  });

  it('fails every record of a 200 without one offset per record', () => {
    const r = interpretResponse(200, ok(2), 3);
    expect(r.kind === 'ok' && r.failed).toHaveLength(3);
    const garbled = interpretResponse(200, 'not json', 2);
    expect(garbled.kind === 'ok' && garbled.failed).toHaveLength(2);
  });

  it('retries network errors, not our own abort', () => {
    expect(isRetryableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isRetryableError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))).toBe(
      true,
    );
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(isRetryableError(abort)).toBe(false);
  });
});

describe('interpretResponse without the schema for the usual 200', () => {
  it('gives the schema’s outcome for 5,000 random answers, usual or not', () => {
    const rnd = mulberry32(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const entry = () =>
      rnd() < 0.9
        ? { partition: 0, offset: 1, error_code: null, error: null }
        : pick<unknown>([
            null,
            [],
            1,
            { partition: 0 },
            { error_code: undefined },
            { error_code: 50002, error: 'Kafka error' },
            { error_code: '7' },
            { error_code: 0 },
          ]);
    let usual = 0;
    for (let n = 0; n < 5000; n++) {
      const records = 1 + Math.floor(rnd() * 4);
      const length = rnd() < 0.9 ? records : records + 1;
      const offsets = Array.from({ length }, entry);
      const body = pick<unknown>([{ offsets }, { offsets }, { offsets }, offsets, null, { offsets: 'x' }]);
      const text = rnd() < 0.05 ? '{"offsets":[' : JSON.stringify(body);
      const status = pick([200, 200, 200, 204, 500]);
      const outcome = interpretResponse(status, text, records);
      expect(outcome, text).toEqual(interpretResponseBySchema(status, text, records));
      if (outcome.kind === 'ok' && outcome.failed.length === 0) usual++;
    }
    expect(usual).toBeGreaterThan(1000);
  });
});
