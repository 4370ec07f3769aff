import { describe, expect, it } from 'vitest';
import { encodeValue, stripWhitespace } from '../../../src/sink/encode.ts';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('encodeValue: one JSON value per line', () => {
  it('keeps the original bytes of a one-line JSON value (big numbers, key order, escapes)', () => {
    const raw = '{"z":1,"a":12345678901234567890,"s":"caf\\u00e9 \\"q\\""}';
    expect(encodeValue(b(raw))).toEqual({ ok: true, line: raw });
    expect(encodeValue(b('  [1, 2] '))).toEqual({ ok: true, line: '[1, 2]' });
    expect(encodeValue(b('"text"'))).toEqual({ ok: true, line: '"text"' });
  });

  it('removes whitespace outside strings when the value spans lines', () => {
    const pretty = '{\n  "a": "x y\\n",\n  "b": [1, 2]\n}\n';
    expect(encodeValue(b(pretty))).toEqual({ ok: true, line: '{"a":"x y\\n","b":[1,2]}' });
    expect(stripWhitespace('{ "a\\"b" : "c \\\\" }')).toBe('{"a\\"b":"c \\\\"}');
  });

  it('rejects what is not JSON, with a reason', () => {
    expect(encodeValue(b('not json'))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not valid JSON'),
    });
    expect(encodeValue(b('{"a":1'))).toMatchObject({ ok: false });
    expect(encodeValue(null)).toEqual({ ok: false, reason: 'null value (tombstone)' });
    expect(encodeValue(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty value' });
    expect(encodeValue(Buffer.from([0x22, 0xff, 0x22]))).toEqual({
      ok: false,
      reason: 'value is not valid UTF-8',
    });
  });
});
