import { describe, expect, it } from 'vitest';
import { HttpProblem, checkAccess, intParam, problemBody } from '../../../src/console/http-rules.ts';
import {
  decodeValue,
  lagPerPartition,
  newestFirst,
  recordWindows,
  toPartitionOffsets,
  type BrowsedRecord,
} from '../../../src/console/records.ts';
import { cleanPrefix, previewLines } from '../../../src/console/s3-browse.ts';
import { startCommand } from '../../../src/console/stages.ts';

const TOKEN = 'tok-123';
const PORT = 8089;
const host = { host: `127.0.0.1:${PORT}` };

function problem(f: () => unknown): HttpProblem {
  try {
    f();
  } catch (err) {
    if (err instanceof HttpProblem) return err;
    throw err;
  }
  throw new Error('expected an HttpProblem');
}

describe('checkAccess', () => {
  it('lets a request with the token in the query or the header through', () => {
    expect(checkAccess({ url: `/api/pipeline?token=${TOKEN}`, headers: host }, TOKEN, PORT)).toBeUndefined();
    expect(
      checkAccess({ url: '/api/pipeline', headers: { ...host, 'x-pinpipe-token': TOKEN } }, TOKEN, PORT),
    ).toBeUndefined();
    expect(
      checkAccess(
        {
          url: `/?token=${TOKEN}`,
          headers: { host: `localhost:${PORT}`, origin: `http://localhost:${PORT}` },
        },
        TOKEN,
        PORT,
      ),
    ).toBeUndefined();
  });

  it('refuses a missing or wrong token with 403 and says where the token is', () => {
    for (const url of ['/api/pipeline', '/api/pipeline?token=wrong', '/?token=']) {
      const p = checkAccess({ url, headers: host }, TOKEN, PORT);
      expect(p?.status).toBe(403);
      expect(p?.code).toBe('FORBIDDEN');
      expect(p?.message).toContain('?token=');
    }
  });

  it('refuses another Host (DNS rebinding) and a cross-site Origin even with the token', () => {
    const url = `/api/pipeline?token=${TOKEN}`;
    expect(checkAccess({ url, headers: { host: `evil.example:${PORT}` } }, TOKEN, PORT)?.status).toBe(403);
    expect(checkAccess({ url, headers: {} }, TOKEN, PORT)?.message).toBe('Host (none) is not this console.');
    const cross = checkAccess({ url, headers: { ...host, origin: 'http://evil.example' } }, TOKEN, PORT);
    expect(cross?.status).toBe(403);
    expect(cross?.message).toBe('Requests from http://evil.example are refused.');
  });
});

describe('intParam', () => {
  it('reads whole numbers and leaves an absent one undefined', () => {
    expect(intParam('42', 'offset')).toBe(42);
    expect(intParam(null, 'offset')).toBeUndefined();
    expect(intParam('', 'offset')).toBeUndefined();
  });

  it('answers 400 for text, negatives and numbers out of bounds', () => {
    expect(problem(() => intParam('abc', 'offset'))).toMatchObject({
      status: 400,
      message: 'offset must be a whole number (got "abc").',
    });
    expect(problem(() => intParam('-1', 'offset')).status).toBe(400);
    expect(problem(() => intParam('0', 'limit', 1, 200)).message).toBe(
      'limit must be between 1 and 200 (got 0).',
    );
  });
});

const parts = toPartitionOffsets([
  { partition: 1, low: '0', high: '5' },
  { partition: 0, low: '10', high: '40' },
  { partition: 2, low: '0', high: '0' },
]);

describe('recordWindows', () => {
  it('sorts partitions and reads the newest page of every non-empty one by default', () => {
    expect(parts.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(recordWindows(parts, { limit: 20 })).toEqual([
      { partition: 0, from: 20, to: 40 },
      { partition: 1, from: 0, to: 5 },
    ]);
  });

  it('reads one partition from an offset, clipped at the high watermark', () => {
    expect(recordWindows(parts, { partition: 0, offset: 35, limit: 20 })).toEqual([
      { partition: 0, from: 35, to: 40 },
    ]);
    expect(recordWindows(parts, { partition: 1, limit: 2 })).toEqual([{ partition: 1, from: 3, to: 5 }]);
    expect(recordWindows(parts, { partition: 2, limit: 2 })).toEqual([]);
  });

  it('answers 416 with the valid range for an offset outside the log', () => {
    for (const offset of [9, 40, 1000]) {
      const p = problem(() => recordWindows(parts, { partition: 0, offset, limit: 20 }));
      expect(p.status).toBe(416);
      expect(p.message).toBe(`Offset ${offset} is outside partition 0's records: 10 to 39.`);
    }
    expect(problem(() => recordWindows(parts, { partition: 2, offset: 0, limit: 20 })).message).toBe(
      'Partition 2 holds no records (offset 0 is next).',
    );
  });

  it('answers 404 for an unknown partition and 400 for an offset without a partition', () => {
    expect(problem(() => recordWindows(parts, { partition: 7, limit: 20 }))).toMatchObject({
      status: 404,
      message: 'Partition 7 does not exist (partitions: 0, 1, 2).',
    });
    expect(problem(() => recordWindows(parts, { offset: 3, limit: 20 })).status).toBe(400);
  });
});

describe('records', () => {
  const rec = (partition: number, offset: number, timestamp: number): BrowsedRecord => ({
    partition,
    offset,
    timestamp,
    key: null,
    value: null,
  });

  it('orders newest first by time, then offset, and keeps the limit', () => {
    const out = newestFirst([rec(0, 1, 100), rec(1, 9, 300), rec(0, 2, 300), rec(2, 0, 50)], 3);
    expect(out.map((r) => `${r.partition}:${r.offset}`)).toEqual(['1:9', '0:2', '0:1']);
  });

  it('pretty-prints JSON values and keeps other text as it is', () => {
    expect(decodeValue('{"ind":7}')).toEqual({ ind: 7 });
    expect(decodeValue('not json')).toBe('not json');
    expect(decodeValue(null)).toBeNull();
  });
});

describe('lagPerPartition', () => {
  it('is high − committed, or the whole log when the group never committed there', () => {
    expect(
      lagPerPartition(parts, [
        { partition: 0, offset: '30' },
        { partition: 1, offset: '-1' },
      ]),
    ).toEqual([
      { partition: 0, low: 10, high: 40, committed: 30, lag: 10 },
      { partition: 1, low: 0, high: 5, committed: null, lag: 5 },
      { partition: 2, low: 0, high: 0, committed: null, lag: 0 },
    ]);
  });
});

describe('S3 helpers', () => {
  it('previews the first lines and says whether more followed', () => {
    expect(previewLines('a\nb\nc\n', 2)).toEqual({ lines: ['a', 'b'], truncated: true });
    expect(previewLines('a\nb\n', 2)).toEqual({ lines: ['a', 'b'], truncated: false });
  });

  it('strips leading slashes and refuses ".." in a prefix', () => {
    expect(cleanPrefix('/topics/x/')).toBe('topics/x/');
    expect(cleanPrefix(null)).toBe('');
    expect(problem(() => cleanPrefix('topics/../etc'))).toMatchObject({ status: 400 });
  });
});

describe('startCommand and problemBody', () => {
  it('names the command that starts a stage for the sandbox and for another profile', () => {
    const local = { name: 'local', sandboxEnabled: true };
    const aws = { name: 'aws', sandboxEnabled: false };
    expect(startCommand('kafka', local)).toBe('npm run sandbox:up');
    expect(startCommand('sink', local)).toBe('pinpipe sink');
    expect(startCommand('proxy', aws)).toBe('pinpipe proxy --profile aws');
    expect(startCommand('kafka', aws)).toBe('pinpipe provision --profile aws');
  });

  it('puts the code and message of a problem in the JSON body, nothing else', () => {
    expect(problemBody(new HttpProblem(503, 'KAFKA_UNAVAILABLE', 'down'))).toEqual({
      error: { code: 'KAFKA_UNAVAILABLE', message: 'down' },
    });
  });
});
