import { getEventListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { requestSignal, withRequestSignal } from '../../../src/batch/abort.ts';
import { fetchObjects } from '../../../src/batch/fetch.ts';
import type { SinkObject } from '../../../src/batch/types.ts';
import { testProfile } from '../../helpers/profile.ts';

describe('per-request abort signals', () => {
  it('leave no listener on the run signal after the request, however many requests ran', async () => {
    const run = new AbortController();
    for (let i = 0; i < 50; i++) await withRequestSignal(run.signal, async (s) => s.aborted);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('put one listener on the run signal however many requests are in flight', () => {
    const run = new AbortController();
    const requests = Array.from({ length: 40 }, () => requestSignal(run.signal));
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    for (const r of requests.slice(0, 39)) r.done();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    requests[39]!.done();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('abort the request when the run is aborted, before or during it', () => {
    const run = new AbortController();
    const r = requestSignal(run.signal);
    const other = requestSignal(run.signal);
    other.done();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1);
    run.abort(new Error('stop'));
    expect(r.signal.aborted).toBe(true);
    expect(other.signal.aborted).toBe(false);
    expect((r.signal.reason as Error).message).toBe('stop');
    expect(requestSignal(run.signal).signal.aborted).toBe(true);
    expect(requestSignal(undefined).signal.aborted).toBe(false);
    r.done();
  });
});

describe('fetching many objects at once', () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  let dir = '';
  afterEach(() => {
    process.off('warning', onWarning);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints no MaxListenersExceededWarning for 60 objects, 16 in flight', async () => {
    process.on('warning', onWarning);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-fetch-'));
    const profile = testProfile((p) => ({ ...p, batch: { ...p.batch, fetchConcurrency: 16 } }));
    // Like the SDK: a listener on the request's signal until the body has been read.
    let inFlight = 0;
    let most = 0;
    const s3 = {
      send: async (_cmd: unknown, o: { abortSignal: AbortSignal }) => {
        const onAbort = () => undefined;
        o.abortSignal.addEventListener('abort', onAbort);
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        const Body = Readable.from(['{"ind":1}\n']);
        Body.on('close', () => {
          inFlight--;
          o.abortSignal.removeEventListener('abort', onAbort);
        });
        return { Body };
      },
    } as unknown as S3Client;
    const objects: SinkObject[] = Array.from({ length: 60 }, (_, i) => ({
      key: `topics/x.pin/partition=0/x.pin+0+${String(i).padStart(10, '0')}.json`,
      kind: 'pin',
      topic: 'x.pin',
      partition: 0,
      startOffset: i,
      size: 10,
      etag: `"e${i}"`,
    }));
    const run = new AbortController();
    const r = await fetchObjects({ s3, profile, objects, cacheDir: dir, signal: run.signal });
    expect(r).toMatchObject({ fetched: 60, cached: 0 });
    expect(most).toBe(16);
    // a warning is emitted on the next tick
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});
