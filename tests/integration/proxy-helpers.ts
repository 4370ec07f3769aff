import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import { createKafkaAdmin } from '../../src/clients/kafka.ts';
import type { Profile } from '../../src/config/index.ts';
import type { Logger } from '../../src/log.ts';
import { uniqueName } from '../../testkit/names.ts';
import { waitFor } from '../helpers/wait.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';
import { kafkaLogSize, readKafkaLog } from '../../testkit/kafka-log.ts';

/** Helpers shared by the proxy and gateway integration tests: unique topics, consume-back, raw HTTP. */
export const quietLogger = (): Logger => pino({ level: 'silent' });

/** Creates unique topics (3 partitions); dispose deletes them. */
export async function uniqueTopics(
  profile: Profile,
  prefixes: string[],
): Promise<{ names: string[]; [Symbol.asyncDispose](): Promise<void> }> {
  const admin = createKafkaAdmin(profile);
  const names = prefixes.map((p) => uniqueName(`pinpipe-${p}`));
  await createTopicsReady(admin, {
    topics: names.map((topic) => ({ topic, numPartitions: 3 })),
  });
  return {
    names,
    [Symbol.asyncDispose]: async () => {
      await admin.deleteTopics({ topics: names }).catch(() => undefined);
      await admin.close();
    },
  };
}

export interface Consumed {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
}

/**
 * Reads EVERY record of a topic, from the beginning to its end offsets, once at least `count` are
 * there (an acknowledged record is in the log): a duplicate or an extra record shows up as a longer
 * result, without waiting for one to arrive. Fails after `timeoutMs` naming what it saw.
 */
export async function consumeBack(
  profile: Profile,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Consumed[]> {
  await waitFor(() => kafkaLogSize(profile, topic), {
    timeoutMs,
    what: `${count} records in ${topic}`,
    done: (n) => n >= count,
  });
  const out: Consumed[] = (await readKafkaLog(profile, topic, timeoutMs)).map((r) => ({
    partition: r.partition,
    offset: r.offset,
    key: r.key,
    value: r.value ?? '',
  }));
  return out;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with an arbitrary body (a Buffer is sent as is, chunked when `chunked`). */
export function rawRequest(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    chunked?: boolean;
    agent?: http.Agent;
    /** Called once the whole request has been handed to the socket. */
    onSent?: () => void;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.onSent) req.on('finish', opts.onSent);
    if (opts.body !== undefined) {
      if (opts.chunked) {
        const b = Buffer.from(opts.body);
        for (let i = 0; i < b.length; i += 16_384) req.write(b.subarray(i, i + 16_384));
      } else {
        req.setHeader('Content-Length', Buffer.byteLength(opts.body));
        req.write(opts.body);
      }
    }
    req.end();
  });
}

/** Writes `head` (and optionally part of a body) on a raw socket; resolves with all it reads until close. */
export function rawExchange(url: string, head: string, ms = 8000): Promise<{ text: string; tookMs: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${ms} ms; read so far: ${JSON.stringify(text)}`));
    }, ms);
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, tookMs: Date.now() - started });
    });
  });
}

/** Opens `n` idle TCP connections to the server at `url` (to fill a connection cap); destroy them after. */
export function idleConnections(url: string, n: number): Promise<net.Socket[]> {
  const { hostname, port } = new URL(url);
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect(Number(port), hostname, () => resolve(s));
        }),
    ),
  );
}

export const JSON_V2 = 'application/vnd.kafka.json.v2+json';
export const BINARY_V2 = 'application/vnd.kafka.binary.v2+json';
