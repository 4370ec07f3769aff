import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createS3 } from '../../../src/clients/s3.ts';
import { PinpipeError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log.ts';
import { whileFenced } from '../../../src/sink/fence.ts';
import { putWithRetry, type UploadRetry } from '../../../src/sink/s3-store.ts';
import { testProfile } from '../../helpers/profile.ts';

const logger = createLogger('error');
const retry: UploadRetry = { maxRetryTimeMs: 20_000, minTimeoutMs: 200, maxTimeoutMs: 5_000 };

/** An S3 client whose every request hangs until its abortSignal fires (a black-hole endpoint). */
function hangingS3(calls: { n: number }): S3Client {
  return {
    send: (_cmd: unknown, opts?: { abortSignal?: AbortSignal }) =>
      new Promise((_resolve, reject) => {
        calls.n++;
        opts?.abortSignal?.addEventListener('abort', () =>
          reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
        );
      }),
  } as unknown as S3Client;
}

/** An S3 client whose every request fails at once with `err`. */
function failingS3(err: Error, calls: { n: number }): S3Client {
  return {
    send: () => {
      calls.n++;
      return Promise.reject(err);
    },
  } as unknown as S3Client;
}

async function settle(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (e: unknown) => e,
  );
}

describe('putWithRetry: the upload deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('aborts a request that never answers at the deadline: SINK_UPLOAD_FAILED', async () => {
    const calls = { n: 0 };
    const outcome = settle(putWithRetry(hangingS3(calls), 'b', 'k.json', 'x\n', { retry, logger }));
    await vi.advanceTimersByTimeAsync(19_999);
    expect(calls.n).toBe(1);
    let settled = false;
    void outcome.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const err = await outcome;
    expect(err).toBeInstanceOf(PinpipeError);
    expect((err as PinpipeError).code).toBe('SINK_UPLOAD_FAILED');
    expect((err as Error).message).toContain('Could not store k.json in bucket b within 20 s');
    expect((err as Error).message).toContain('no answer within the deadline');
  });

  it('retries failing requests with backoff and gives up at the deadline with the last error', async () => {
    const calls = { n: 0 };
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const outcome = settle(putWithRetry(failingS3(down, calls), 'b', 'k.json', 'x\n', { retry, logger }));
    await vi.advanceTimersByTimeAsync(20_000);
    const err = await outcome;
    expect((err as PinpipeError).code).toBe('SINK_UPLOAD_FAILED');
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(calls.n).toBeGreaterThan(3);
  });

  it('stops at once with S3_BUCKET_MISSING when the bucket is gone', async () => {
    const calls = { n: 0 };
    const gone = Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
    const err = await settle(putWithRetry(failingS3(gone, calls), 'b', 'k.json', 'x\n', { retry, logger }));
    expect((err as PinpipeError).code).toBe('S3_BUCKET_MISSING');
    expect((err as Error).message).toContain('Bucket b disappeared while the sink was writing k.json');
    expect(calls.n).toBe(1);
  });

  it('an outside abort (a rebalance) aborts the request and rethrows its reason', async () => {
    const calls = { n: 0 };
    const fence = new AbortController();
    const outcome = settle(
      putWithRetry(hangingS3(calls), 'b', 'k.json', 'x\n', { retry, logger, signal: fence.signal }),
    );
    await vi.advanceTimersByTimeAsync(1000);
    const rebalance = Object.assign(new Error('The group is rebalancing'), { name: 'KafkaJSProtocolError' });
    fence.abort(rebalance);
    expect(await outcome).toBe(rebalance);
  });
});

describe('whileFenced', () => {
  it('resolves with the work when the fence holds', async () => {
    const fence = new AbortController();
    expect(await whileFenced(() => Promise.resolve('done'), fence.signal)).toBe('done');
  });

  it('an aborted fence aborts the work and rejects with the fence reason', async () => {
    const fence = new AbortController();
    const rebalanced = new Error('the group rebalanced');
    let seen: AbortSignal | undefined;
    const running = settle(
      whileFenced((signal) => {
        seen = signal;
        return new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }, fence.signal),
    );
    fence.abort(rebalanced);
    expect(await running).toBe(rebalanced);
    expect(seen?.aborted).toBe(true);
  });

  it('rejects with the fence reason even when the work finished after the abort', async () => {
    const fence = new AbortController();
    const rebalanced = new Error('the group rebalanced');
    let finish!: () => void;
    const running = settle(whileFenced(() => new Promise<void>((r) => (finish = r)), fence.signal));
    fence.abort(rebalanced);
    finish();
    expect(await running).toBe(rebalanced);
  });

  it('an error of the work aborts its signal (no upload outlives the failed store)', async () => {
    let seen: AbortSignal | undefined;
    const boom = new Error('boom');
    const err = await settle(
      whileFenced((signal) => {
        seen = signal;
        return Promise.reject(boom);
      }, new AbortController().signal),
    );
    expect(err).toBe(boom);
    expect(seen?.aborted).toBe(true);
  });
});

describe('createS3', () => {
  it('sets the connection and request timeouts of the profile on every request', async () => {
    const profile = testProfile((p) => ({
      ...p,
      s3: { ...p.s3, connectionTimeoutMs: 1234, requestTimeoutMs: 5678 },
    }));
    const s3 = createS3(profile);
    try {
      const handler = s3.config.requestHandler as unknown as {
        configProvider: Promise<{
          connectionTimeout: number;
          requestTimeout: number;
          throwOnRequestTimeout: boolean;
        }>;
      };
      expect(await handler.configProvider).toMatchObject({
        connectionTimeout: 1234,
        requestTimeout: 5678,
        throwOnRequestTimeout: true,
      });
    } finally {
      s3.destroy();
    }
  });

  it('defaults to 3 s to connect and 30 s per request', () => {
    const profile = testProfile();
    expect(profile.s3.connectionTimeoutMs).toBe(3000);
    expect(profile.s3.requestTimeoutMs).toBe(30_000);
  });
});
