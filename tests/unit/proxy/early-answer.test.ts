import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KafkaBackend } from '../../../src/proxy/kafka-backend.ts';
import { startProxy } from '../../../src/proxy/index.ts';
import { testProfile } from '../../helpers/profile.ts';

/**
 * An answer the proxy decides before reading the body (429 over a cap, 413 over the body limit)
 * reaches a client that is still uploading: the connection is not closed under its upload (no
 * EPIPE / ECONNRESET on its writes), and it reads the answer. No Kafka is needed: the one held
 * request only asks for a topic's partitions, which are stubbed.
 */
afterEach(() => {
  vi.restoreAllMocks();
});

const JSON_V2 = 'application/vnd.kafka.json.v2+json';

interface Upload {
  /** Everything the proxy sent back. */
  answer: string;
  /** Bytes of the body written before the socket failed (all of them when it never did). */
  written: number;
  /** The error of the first failed write or of the socket, if any. */
  error: string | undefined;
}

/** POSTs a body of `size` bytes in `chunk`-byte pieces `everyMs` apart over a raw socket. */
function slowUpload(
  url: string,
  path: string,
  size: number,
  chunk: number,
  everyMs: number,
): Promise<Upload> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    // allowHalfOpen: the client keeps sending after the proxy ended its side, as a slow uploader would
    const socket = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    const r: Upload = { answer: '', written: 0, error: undefined };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(r);
    };
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (r.answer += d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      r.error ??= err.code ?? err.message;
      finish();
    });
    socket.on('close', finish);
    socket.on('end', () => {
      // our answer is complete once the proxy ended its side and we sent everything
      if (r.written >= size) finish();
    });
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: ${JSON_V2}\r\n` +
          `Content-Length: ${size}\r\n\r\n`,
      );
      const piece = Buffer.alloc(chunk, 'x');
      const timer = setInterval(() => {
        if (done) return clearInterval(timer);
        const n = Math.min(chunk, size - r.written);
        socket.write(piece.subarray(0, n), (err) => {
          if (err) r.error ??= (err as NodeJS.ErrnoException).code ?? err.message;
        });
        r.written += n;
        if (r.written >= size) {
          clearInterval(timer);
          socket.end();
        }
      }, everyMs);
    });
  });
}

describe('an answer decided before the body is read', { timeout: 30_000 }, () => {
  it('reaches a client still uploading a large body slowly: 429 and 413, no EPIPE', async () => {
    vi.spyOn(KafkaBackend.prototype, 'partitions').mockResolvedValue([
      { partitionId: 0, leader: 0, replicas: [0], isr: [0] },
    ]);
    const base = testProfile();
    await using proxy = await startProxy({
      profile: {
        ...base,
        proxy: { ...base.proxy, maxRequestsInFlight: 1, maxBodyBytes: 1024 * 1024 },
      },
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    // One request admitted and held: its body trickles in, so the next one is over the request cap.
    const held = slowUpload(proxy.url, '/topics/early.answer', 64 * 1024, 1024, 20);
    await vi.waitFor(() => expect(proxy.stats().inFlight.requests).toBe(1), { timeout: 5000, interval: 20 });

    // 900 KB over about 1.5 s: answered 429 at once, and the client still sends it all
    const refused = await slowUpload(proxy.url, '/topics/early.answer', 900 * 1024, 32 * 1024, 50);
    expect(refused.error).toBeUndefined();
    expect(refused.written).toBe(900 * 1024);
    expect(refused.answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused.answer).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(refused.answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(refused.answer).toMatch(/"error_code":429/);

    // Over the body limit (declared): 413 before reading, and the upload is not cut off either
    const tooLarge = await slowUpload(proxy.url, '/topics/early.answer', 2 * 1024 * 1024, 64 * 1024, 30);
    expect(tooLarge.error).toBeUndefined();
    expect(tooLarge.written).toBe(2 * 1024 * 1024);
    expect(tooLarge.answer).toMatch(/^HTTP\/1\.1 413 /);

    await held;
  });
});
