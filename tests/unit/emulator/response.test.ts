import { describe, expect, it } from 'vitest';
import {
  comeBackLater,
  interpretResponse,
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
