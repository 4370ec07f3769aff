import { describe, expect, it } from 'vitest';
import { canonicalJsonRecords } from '../../../src/proxy/canonical-json.ts';
import {
  MAX_BODY_DEPTH,
  parseProduceBody,
  parseProduceBodyText,
  type ProduceRecord,
} from '../../../src/proxy/produce-request.ts';
import { mulberry32 } from '../../../src/emulator/index.ts';

/** What the full path (JSON.parse, then JSON.stringify of each key and value) makes of a body. */
function full(raw: Buffer, partition?: number): ProduceRecord[] | { refused: string } {
  try {
    return parseProduceBodyText(raw, 'json', partition);
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

const shortcut = (raw: Buffer, partition?: number) => canonicalJsonRecords(raw, MAX_BODY_DEPTH, partition);

/** The shortcut either declines or gives exactly the full path's records. */
function expectSameAsFull(raw: Buffer, partition?: number): boolean {
  const fast = shortcut(raw, partition);
  if (fast === undefined) return false;
  expect(full(raw, partition), raw.toString('latin1')).toEqual(fast);
  return true;
}

const body = (text: string) => Buffer.from(text, 'utf8');

describe('canonicalJsonRecords: the produce shortcut for bodies in JSON.stringify form', () => {
  it("cuts the emulator's bodies into the records the full path makes, as slices of the body", () => {
    const values = [
      { index: 129, title: 'Dream "Cars"\n', latitude: -45.8508, n: 1e21, neg: -7, zero: 0, f: 0.5 },
      { ind: 2, tags: ['a', 'b\\c', '\u0001', '\u001f', 'é€😀', '\u2028'], nested: { deep: [[{}], []] } },
      { ind: 3, ok: true, no: false, none: null, empty: '', sci: 1.5e-7, big: 123456789012345 },
    ];
    const raw = body(JSON.stringify({ records: values.map((value) => ({ value })) }));
    const fast = shortcut(raw);
    expect(fast?.map((r) => r.value.toString())).toEqual(values.map((v) => JSON.stringify(v)));
    expect(fast![0]!.value.buffer).toBe(raw.buffer);
    expect(expectSameAsFull(raw)).toBe(true);
    expect(parseProduceBody(raw, 'json')).toEqual(full(raw));
  });

  it('takes keys, partitions (of the record or the path) and whitespace around the envelope', () => {
    const raw = body(
      ' {\n "records" : [ {"key":"k1","value":{"a":1}, "partition":2},\t{"partition":null,"key":null,"value":"v"} ,{"value":[1],"key":{"id":7}}]\r\n} ',
    );
    expect(
      shortcut(raw, 1)?.map((r) => [r.key?.toString() ?? null, r.value.toString(), r.partition]),
    ).toEqual([
      ['"k1"', '{"a":1}', 2],
      [null, '"v"', 1],
      ['{"id":7}', '[1]', 1],
    ]);
    expect(expectSameAsFull(raw, 1)).toBe(true);
    expect(expectSameAsFull(raw)).toBe(true);
  });

  it.each([
    ['whitespace inside a value', '{"records":[{"value":{"a": 1}}]}'],
    ['an escape JSON.stringify would not write', '{"records":[{"value":"a\\/b"}]}'],
    ['a \\u escape of a printable character', '{"records":[{"value":"\\u0041"}]}'],
    ['an upper-case \\u escape', '{"records":[{"value":"\\u001F"}]}'],
    ['\\u000a instead of \\n', '{"records":[{"value":"\\u000a"}]}'],
    ['an escaped surrogate pair', '{"records":[{"value":"\\ud83d\\ude00"}]}'],
    ['a number not in its shortest form', '{"records":[{"value":{"n":1.0}}]}'],
    ['an exponent', '{"records":[{"value":1e2}]}'],
    ['minus zero', '{"records":[{"value":-0}]}'],
    ['a leading zero', '{"records":[{"value":01}]}'],
    ['an integer past 2^53', '{"records":[{"value":12345678901234567890}]}'],
    ['a repeated key', '{"records":[{"value":{"a":1,"b":2,"a":3}}]}'],
    ['an integer-like key', '{"records":[{"value":{"b":1,"2":2}}]}'],
    ['another envelope field', '{"records":[{"value":1}],"x":1}'],
    ['a repeated record field', '{"records":[{"value":1,"value":2}]}'],
    ['an unknown record field', '{"records":[{"value":1,"other":2}]}'],
    ['a partition written 1.0', '{"records":[{"value":1,"partition":1.0}]}'],
    ['a partition with a leading zero', '{"records":[{"value":1,"partition":01}]}'],
    ['a negative partition', '{"records":[{"value":1,"partition":-1}]}'],
    ['a partition as a string', '{"records":[{"value":1,"partition":"1"}]}'],
    ['a null value', '{"records":[{"value":null}]}'],
    ['a record without a value', '{"records":[{"key":"k"}]}'],
    ['no records', '{"records":[]}'],
    ['a raw control character', '{"records":[{"value":"a\tb"}]}'],
    ['a byte-order mark', '\ufeff{"records":[{"value":1}]}'],
    ['trailing text', '{"records":[{"value":1}]}x'],
    ['a trailing comma', '{"records":[{"value":1},]}'],
    ['a bare word', '{"records":[{"value":tru}]}'],
    ['an unterminated string', '{"records":[{"value":"abc'],
  ])('declines %s (the full path decides)', (_what, text) => {
    expect(shortcut(body(text))).toBeUndefined();
  });

  it('declines invalid UTF-8 (the full path would write U+FFFD) and nesting past the limit', () => {
    const bad = Buffer.concat([body('{"records":[{"value":"a'), Buffer.from([0xc3, 0x28]), body('"}]}')]);
    expect(shortcut(bad)).toBeUndefined();
    const deep = (n: number) => body(`{"records":[{"value":${'['.repeat(n)}${']'.repeat(n)}}]}`);
    expect(shortcut(deep(MAX_BODY_DEPTH - 3))).toBeDefined();
    expect(expectSameAsFull(deep(MAX_BODY_DEPTH - 3))).toBe(true);
    expect(shortcut(deep(MAX_BODY_DEPTH - 2))).toBeUndefined();
    expect(full(deep(MAX_BODY_DEPTH - 2))).toEqual({ refused: expect.stringMatching(/64 levels/) });
  });

  it('takes a number exactly when it is written as String(n) writes it (50,000 random numbers)', () => {
    const rnd = mulberry32(7);
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
    const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
    let taken = 0;
    for (let n = 0; n < 50_000; n++) {
      const int = rnd() < 0.3 ? '0' : digits(1 + Math.floor(rnd() * 22));
      const zeros = '0'.repeat(Math.floor(rnd() * 8));
      const fraction = rnd() < 0.3 ? '' : `.${rnd() < 0.4 ? zeros : ''}${digits(Math.floor(rnd() * 18))}`;
      const exponent = rnd() < 0.1 ? `e${digits(1)}` : '';
      const text = `${rnd() < 0.3 ? '-' : ''}${int}${fraction}${exponent}`;
      const raw = body(`{"records":[{"value":${text}}]}`);
      const fast = shortcut(raw);
      const shortest = JSON_NUMBER.test(text) && String(Number(text)) === text;
      expect(fast !== undefined, text).toBe(shortest);
      if (fast) {
        expect(expectSameAsFull(raw)).toBe(true);
        taken++;
      }
    }
    expect(taken).toBeGreaterThan(10_000);
  });

  it('on 20,000 random bodies, in and out of JSON.stringify form, gives the full path’s records or declines', () => {
    const rnd = mulberry32(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const chars = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '/',
      '\n',
      '\t',
      '\u0000',
      '\u001f',
      '\u007f',
      'é',
      '€',
      '😀',
      '\u2028',
      '\ufeff',
      '0',
      '9',
    ];
    const str = () => Array.from({ length: Math.floor(rnd() * 5) }, () => pick(chars)).join('');
    const keyName = () => pick(['a', 'b', 'c', '1', '01', '-1', '__proto__', '', str()]);
    const num = () =>
      pick([0, -1, 7, 1.5, -0.25, 1e21, 1e-7, 2 ** 53 + 2, 123456789012345, rnd() * 1000 - 500]);
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 6);
      if (kind === 0) return str();
      if (kind === 1) return num();
      if (kind === 2) return pick([true, false, null]);
      if (kind === 3) return str();
      if (kind === 4) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 5); i > 0; i--) {
        // defined, not assigned: "__proto__" becomes a key as JSON.parse makes it
        const v = value(depth + 1);
        Object.defineProperty(o, keyName(), {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return o;
    };
    /** Text edits that JSON.stringify would not make (or that break the JSON). */
    const mutations: Array<(t: string) => string> = [
      (t) => t.replace(/,/, ' ,'),
      (t) => t.replace(/:/, ': '),
      (t) => t.replace(/"a"/, '"\\u0061"'),
      (t) => t.replace(/\\n/, '\\u000a'),
      (t) => t.replace(/\//, '\\/'),
      (t) => t.replace(/\\u00([01][0-9a-f])/, (_m, h: string) => `\\u00${h.toUpperCase()}`),
      (t) => t.replace(/(\d)([,}\]])/, '$1.0$2'),
      (t) => t.replace(/(\d)([,}\]])/, '$1e0$2'),
      (t) => t.replace(/\{"([^"]+)":/, '{"$1":1,"$1":'),
      (t) => t.replace(/\{"/, '{"5":0,"'),
      (t) => t.replace(/"value":/, '"value":null,"value":'),
      (t) => t.replace(/\}\]\}$/, '},]}'),
      (t) => t.slice(0, -1),
      (t) => t.replace(/"partition":\d+/, '"partition":"1"'),
    ];
    let taken = 0;
    let declinedCanonical = 0;
    for (let n = 0; n < 20_000; n++) {
      const records = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => {
        const r: Record<string, unknown> = { value: value(0) };
        if (r.value === null) r.value = 0;
        if (rnd() < 0.3) r.key = value(2);
        if (rnd() < 0.2) r.partition = pick([0, 1, 2, null]);
        return r;
      });
      const canonical = JSON.stringify({ records });
      const text = rnd() < 0.5 ? canonical : pick(mutations)(canonical);
      const raw = rnd() < 0.02 ? Buffer.concat([body(text), Buffer.from([0xff])]) : body(text);
      const partition = rnd() < 0.2 ? 1 : undefined;
      if (expectSameAsFull(raw, partition)) taken++;
      else if (text === canonical && raw.length === Buffer.byteLength(text) && !/"(\d+)":/.test(text))
        declinedCanonical++;
    }
    // every body in JSON.stringify form without integer-like keys (JSON.parse reorders those) is taken
    expect(declinedCanonical).toBe(0);
    expect(taken).toBeGreaterThan(5_000);
  });
});
