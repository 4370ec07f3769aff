import { describe, expect, it } from 'vitest';
import {
  formatFor,
  isValidRecord,
  isValidTopicName,
  parseProduceBody,
  recordSchema,
} from '../../../src/proxy/produce-request.ts';
import { ProxyHttpError } from '../../../src/proxy/confluent-errors.ts';

function codeOf(fn: () => unknown): { status: number; errorCode: number } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProxyHttpError);
    const e = err as ProxyHttpError;
    return { status: e.status, errorCode: e.errorCode };
  }
  throw new Error('expected an error');
}

describe('formatFor (content type → embedded format)', () => {
  it('maps the v2 types, ignoring parameters and case', () => {
    expect(formatFor('application/vnd.kafka.json.v2+json')).toBe('json');
    expect(formatFor('Application/Vnd.Kafka.JSON.v2+json; charset=utf-8')).toBe('json');
    expect(formatFor('application/vnd.kafka.binary.v2+json')).toBe('binary');
    expect(formatFor('application/vnd.kafka.v2+json')).toBe('binary');
    expect(formatFor('application/json')).toBe('binary');
  });
  it('answers 415 for anything else, or no content type', () => {
    for (const ct of [
      'text/plain',
      'application/vnd.kafka.avro.v2+json',
      'application/x-www-form-urlencoded',
      undefined,
    ]) {
      expect(codeOf(() => formatFor(ct))).toEqual({ status: 415, errorCode: 415 });
    }
  });
});

describe('isValidTopicName', () => {
  it("follows Kafka's rule", () => {
    expect(isValidTopicName('0e7ae8feb921.pin')).toBe(true);
    expect(isValidTopicName('a_b-c.D9')).toBe(true);
    expect(isValidTopicName('x'.repeat(249))).toBe(true);
    for (const bad of ['', '.', '..', 'with space', 'slash/x', 'ü', 'x'.repeat(250), 'semi;colon']) {
      expect(isValidTopicName(bad), bad).toBe(false);
    }
  });
});

describe('parseProduceBody', () => {
  it('serialises JSON keys and values as JSON text', () => {
    const recs = parseProduceBody(
      '{"records":[{"value":{"a":1,"t":"2020-08-28 03:52:47"}},{"key":"k","value":[1,2],"partition":2}]}',
      'json',
    );
    expect(recs).toHaveLength(2);
    expect(JSON.parse(recs[0]!.value.toString())).toEqual({ a: 1, t: '2020-08-28 03:52:47' });
    expect(recs[0]!.key).toBeNull();
    expect(recs[0]!.partition).toBeUndefined();
    expect(recs[1]!.key!.toString()).toBe('"k"');
    expect(recs[1]!.value.toString()).toBe('[1,2]');
    expect(recs[1]!.partition).toBe(2);
  });
  it('decodes base64 in the binary format', () => {
    const recs = parseProduceBody(Buffer.from('{"records":[{"key":"a2V5","value":"aGVsbG8="}]}'), 'binary');
    expect(recs[0]!.key!.toString()).toBe('key');
    expect(recs[0]!.value.toString()).toBe('hello');
  });
  it('uses the partition from the path unless a record names its own', () => {
    const recs = parseProduceBody('{"records":[{"value":1},{"value":2,"partition":0}]}', 'json', 1);
    expect(recs.map((r) => r.partition)).toEqual([1, 0]);
  });
  it.each([
    ['malformed JSON', '{"records":[', 'json', 400, 400],
    ['empty body', '', 'json', 400, 400],
    ['not an object', '[1,2]', 'json', 422, 42206],
    ['a JSON string', '"records"', 'json', 422, 42206],
    ['missing records', '{"values":[]}', 'json', 422, 42206],
    ['records null', '{"records":null}', 'json', 422, 42206],
    ['records not an array', '{"records":{"value":1}}', 'json', 422, 42206],
    ['empty records', '{"records":[]}', 'json', 422, 42206],
    ['a record that is not an object', '{"records":[1]}', 'json', 422, 42206],
    ['a record without value', '{"records":[{"key":"k"}]}', 'json', 422, 42206],
    ['a null value', '{"records":[{"value":null}]}', 'json', 422, 42206],
    ['a negative partition', '{"records":[{"value":1,"partition":-1}]}', 'json', 422, 42206],
    ['a fractional partition', '{"records":[{"value":1,"partition":1.5}]}', 'json', 422, 42206],
    ['a string partition', '{"records":[{"value":1,"partition":"0"}]}', 'json', 422, 42206],
    ['bad base64 value', '{"records":[{"value":"not base64!"}]}', 'binary', 422, 42203],
    ['base64 value not a string', '{"records":[{"value":{"a":1}}]}', 'binary', 422, 42203],
    ['bad base64 key', '{"records":[{"key":"@@","value":"aGk="}]}', 'binary', 422, 42203],
  ] as const)('%s → %i / %i', (_name, body, format, status, errorCode) => {
    expect(codeOf(() => parseProduceBody(body, format))).toEqual({ status, errorCode });
  });
  it('names the offending record in the message', () => {
    expect.assertions(2);
    try {
      parseProduceBody('{"records":[{"value":1},{"key":2}]}', 'json');
    } catch (err) {
      expect((err as Error).message).toContain('records[1]');
      expect((err as ProxyHttpError).body()).toEqual({
        error_code: 42206,
        message: expect.stringContaining('value'),
      });
    }
  });
});

describe('isValidRecord (the hot path of a record check)', () => {
  it('accepts exactly what the record schema accepts', () => {
    const absent = Symbol('absent');
    const values = [absent, null, 0, 1, '', 'x', false, true, [], [1], {}, { a: 1 }];
    const partitions = [absent, null, 0, 2, -1, 1.5, 2 ** 53, Number.NaN, Infinity, '0', true, [], {}];
    const keys = [absent, null, 'k', 3, { k: 1 }];
    const candidates: unknown[] = [null, 1, 'r', true, [], [{ value: 1 }]];
    for (const value of values)
      for (const partition of partitions)
        for (const key of keys) {
          const r: Record<string, unknown> = { other: 1 };
          if (value !== absent) r.value = value;
          if (partition !== absent) r.partition = partition;
          if (key !== absent) r.key = key;
          candidates.push(r);
        }
    let accepted = 0;
    for (const r of candidates) {
      const bySchema = recordSchema.safeParse(r).success;
      expect(isValidRecord(r), JSON.stringify(r)).toBe(bySchema);
      if (bySchema) accepted++;
    }
    expect(accepted).toBe(10 * 4 * 5); // values but absent and null; partitions absent, null, 0, 2; any key
  });
});
