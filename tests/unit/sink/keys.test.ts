import { describe, expect, it } from 'vitest';
import {
  errorKey,
  joinKey,
  objectKey,
  padOffset,
  parseObjectKey,
  partitionPrefix,
  topicsRoot,
  type SinkLayout,
} from '../../../src/sink/keys.ts';

const layout: SinkLayout = { prefix: '', topicsDir: 'topics', errorsDir: 'errors' };

describe('object keys (Confluent S3 sink layout, docs/spec.md#s3-layout)', () => {
  it('pads the start offset to 10 digits', () => {
    expect(padOffset(0)).toBe('0000000000');
    expect(padOffset(42)).toBe('0000000042');
    expect(padOffset(12345678901)).toBe('12345678901');
    expect(() => padOffset(-1)).toThrow();
    expect(() => padOffset(1.5)).toThrow();
  });

  it('names objects topics/<topic>/partition=<p>/<topic>+<p>+<start>.json', () => {
    expect(objectKey(layout, '0e7ae8feb921.pin', 2, 1000)).toBe(
      'topics/0e7ae8feb921.pin/partition=2/0e7ae8feb921.pin+2+0000001000.json',
    );
  });

  it('puts a root prefix before topics.dir and errors/', () => {
    const l = { prefix: '/t-1/', topicsDir: 'topics/', errorsDir: 'errors' };
    expect(objectKey(l, 'a', 0, 5)).toBe('t-1/topics/a/partition=0/a+0+0000000005.json');
    expect(errorKey(l, 'a', 0, 5)).toBe('t-1/errors/a/partition=0/0000000005.json');
    expect(topicsRoot(l)).toBe('t-1/topics');
    expect(partitionPrefix(l, 'a', 1)).toBe('t-1/topics/a/partition=1/');
    expect(joinKey('', 'x', '/y/')).toBe('x/y');
  });

  it('parses keys back, and rejects keys outside the layout', () => {
    const key = objectKey({ ...layout, prefix: 'p' }, 'my_topic-1.x', 7, 99);
    expect(parseObjectKey(key)).toEqual({ topic: 'my_topic-1.x', partition: 7, startOffset: 99 });
    expect(parseObjectKey('topics/a/partition=1/a+2+0000000000.json')).toBeUndefined();
    expect(parseObjectKey('topics/a/partition=1/b+1+0000000000.json')).toBeUndefined();
    expect(parseObjectKey('errors/a/partition=1/0000000003.json')).toBeUndefined();
    expect(parseObjectKey('topics/a/partition=1/a+1+0000000000.json.tmp')).toBeUndefined();
  });
});
