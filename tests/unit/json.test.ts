import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isPinpipeError } from '../../src/errors.ts';
import { parseJson, parseJsonLines, readJsonFile } from '../../src/json.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-json-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const point = z.object({ x: z.number(), tags: z.array(z.string()).optional() });

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('parseJson', () => {
  it('gives the checked value, or what is wrong and where', () => {
    expect(parseJson('{"x":1}', point)).toEqual({ ok: true, value: { x: 1 } });
    expect(parseJson('{"x":', point)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^not valid JSON \(/),
    });
    expect(parseJson('{"x":1,"tags":["a",2]}', point)).toEqual({
      ok: false,
      problem: 'tags[1]: Invalid input: expected string, received number',
    });
    expect(parseJson('[]', point)).toEqual({
      ok: false,
      problem: '(root): Invalid input: expected object, received array',
    });
  });

  it('names the closest branch of a union that matched none', () => {
    const either = z.union([z.array(point), z.string()]);
    expect(parseJson('[{"x":"1"}]', either)).toEqual({
      ok: false,
      problem: '[0].x: Invalid input: expected number, received string',
    });
  });
});

describe('readJsonFile', () => {
  it('throws a typed error naming the file and the problem, with the caller code and fix', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, '{"x":"no"}');
    const err = thrown(() => readJsonFile(file, point));
    expect(isPinpipeError(err, 'FILE_INVALID')).toBe(true);
    expect((err as Error).message).toBe(
      `${file} is not what pinpipe expects: x: Invalid input: expected number, received string`,
    );
    const coded = thrown(() => readJsonFile(file, point, { code: 'REPORT_FAILED', fix: 'Re-run it.' }));
    expect(isPinpipeError(coded, 'REPORT_FAILED')).toBe(true);
    expect((coded as Error).message).toMatch(/: Re-run it\.$/);
    fs.writeFileSync(file, '{"x":2}');
    expect(readJsonFile(file, point)).toEqual({ x: 2 });
  });
});

describe('parseJsonLines', () => {
  it('skips blank lines and lines torn by a crash, and names a line that does not hold', () => {
    expect(parseJsonLines('f.jsonl', '{"x":1}\n\n{"x":2}\n{"x":', point)).toEqual([{ x: 1 }, { x: 2 }]);
    const err = thrown(() => parseJsonLines('f.jsonl', '{"x":1}\n{"y":2}\n', point));
    expect(isPinpipeError(err, 'FILE_INVALID')).toBe(true);
    expect((err as Error).message).toBe(
      'f.jsonl is not what pinpipe expects: line 2: x: Invalid input: expected number, received undefined',
    );
  });
});
