import { describe, expect, it } from 'vitest';
import { BurstLog } from '../../../src/proxy/burst-log.ts';
import { hostServed, servedHosts } from '../../../src/proxy/host-check.ts';
import { MAX_BODY_DEPTH, nestsDeeperThan, parseProduceBody } from '../../../src/proxy/produce-request.ts';
import { ProxyHttpError } from '../../../src/proxy/confluent-errors.ts';
import { testRandom } from '../../helpers/seed.ts';

/** The depth rule read one character at a time: the reference the fast scan must agree with. */
function deeperByChars(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > max) return true;
    } else if (c === '}' || c === ']') depth--;
  }
  return false;
}

describe('nesting depth of a produce body', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(nestsDeeperThan(`{"s":"${'['.repeat(500)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"s":"\\"${'{'.repeat(10)}"}`, 1)).toBe(false);
    expect(nestsDeeperThan(`{"s":"\\\\"${'['.repeat(10)}`, 5)).toBe(true);
  });
  it('agrees with a character-by-character reading on random texts of brackets, quotes and backslashes', () => {
    const { rng } = testRandom('nesting depth');
    const alphabet = '{}[]"\\a';
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const length = Math.floor(rng() * 24);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(rng() * alphabet.length)];
      const max = Math.floor(rng() * 4);
      expect(nestsDeeperThan(text, max), `${JSON.stringify(text)} over ${max}`).toBe(
        deeperByChars(text, max),
      );
    }
  });

  it('a body over MAX_BODY_DEPTH is 422 / 42203 before JSON.parse; one at the limit is parsed', () => {
    const nested = (levels: number) => `{"records":[{"value":${'['.repeat(levels)}${']'.repeat(levels)}}]}`;
    expect(parseProduceBody(nested(MAX_BODY_DEPTH - 3), 'json')).toHaveLength(1);
    let err: unknown;
    try {
      parseProduceBody(nested(MAX_BODY_DEPTH - 2), 'json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProxyHttpError);
    expect((err as ProxyHttpError).status).toBe(422);
    expect((err as ProxyHttpError).errorCode).toBe(42203);
    expect((err as ProxyHttpError).warnOncePerBurst).toBe('nesting');
  });
});

describe('BurstLog', () => {
  it('writes the first line of a kind, counts the rest within the window, and says how many it left out', () => {
    const lines: string[] = [];
    let now = 0;
    const burst = new BurstLog({ warn: (m: string) => void lines.push(m) } as never, 10_000, () => now);
    for (let i = 0; i < 50; i++) burst.warn('nesting', `deep ${i}`);
    burst.warn('other', 'other 0');
    expect(lines).toEqual(['deep 0', 'other 0']);
    now = 10_000;
    burst.warn('nesting', 'deep 50');
    expect(lines).toEqual(['deep 0', 'other 0', 'deep 50 (49 more like it before this one, not logged)']);
  });
});

describe('the Host names a loopback proxy serves', () => {
  it('127.0.0.1, localhost and [::1] with its port, and the host of proxy.url; none checked off loopback', () => {
    const served = servedHosts('127.0.0.1', 8082, 'http://proxy.local:8082');
    expect([...served!].sort()).toEqual([
      '127.0.0.1:8082',
      '[::1]:8082',
      'localhost:8082',
      'proxy.local:8082',
    ]);
    expect(hostServed(served, 'LocalHost:8082')).toBe(true);
    expect(hostServed(served, 'localhost')).toBe(false);
    expect(hostServed(served, 'attacker.example:8082')).toBe(false);
    expect(hostServed(served, undefined)).toBe(false);
    // proxy.url on another port names another server: not added
    expect(servedHosts('127.0.0.1', 9000, 'http://proxy.local:8082')!.has('proxy.local:8082')).toBe(false);
    expect(servedHosts('0.0.0.0', 8082)).toBeUndefined();
    expect(hostServed(undefined, 'anything:1')).toBe(true);
  });
});
