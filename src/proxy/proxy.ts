import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import kafkajs, { type PartitionMetadata } from 'kafkajs';
import type { Profile } from '../config/schema.ts';
import { readSecret } from '../config/env.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { log, type Logger } from '../log.ts';
import { httpErrors, ProxyHttpError } from './confluent-errors.ts';
import { readBody, sendJson } from './http-io.ts';
import { KafkaBackend } from './kafka-backend.ts';
import { kafkaFailure } from './kafka-errors.ts';
import { LingerBatcher, type PartitionedRecord } from './linger-batcher.ts';
import { formatFor, isValidTopicName, parseProduceBody, type ProduceRecord } from './produce-request.ts';
import { apiKeyMatches, produceResponse, route } from './responses.ts';

/**
 * `pinpipe proxy`: the produce side of Confluent's REST Proxy v2 on node:http (docs/spec.md#wire-format).
 * Request → content type → body (bounded) → records → topic metadata (cached) → partition →
 * linger batcher → one kafkajs sendBatch (acks=all) → offsets mapped back → 200.
 */
export interface StartProxyOptions {
  profile: Profile;
  host?: string;
  port?: number;
  logger?: Logger;
  /** The API key clients must send as X-API-Key; default: the variable named by profile.proxy.apiKeyEnv. */
  apiKey?: string;
  /** Longest wait for Kafka's acknowledgement before answering 503 (default 15 s). */
  sendTimeoutMs?: number;
  /** Longest wait for in-flight requests on close (default 30 s). */
  drainTimeoutMs?: number;
}

export interface StartedProxy {
  url: string;
  port: number;
  /** Records and Kafka sends so far (how well lingering gathers records). */
  stats(): { requests: number; records: number; sends: number };
  /** Stops accepting, answers the requests in flight, then disconnects from Kafka. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** After the listener closes, time for connections already accepted to deliver their request. */
const DRAIN_GRACE_MS = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Under the broker's default message.max.bytes (1 MiB), with room for record overhead. */
const MAX_BATCH_BYTES = 512 * 1024;

export async function startProxy(opts: StartProxyOptions): Promise<StartedProxy> {
  const { profile } = opts;
  const logger = opts.logger ?? log();
  const host = opts.host ?? profile.proxy.host;
  const apiKey = opts.apiKey ?? readSecret(profile.proxy.apiKeyEnv);
  if (profile.proxy.apiKeyEnv && !apiKey) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `proxy.apiKeyEnv names ${profile.proxy.apiKeyEnv}, which is not set: export it, or remove proxy.apiKeyEnv from the profile.`,
    );
  }
  if (!apiKey && !isLoopback(host)) {
    logger.warn(
      `the proxy listens on ${host} without an API key: anyone who can reach it can write to Kafka`,
    );
  }
  const maxBody = profile.proxy.maxBodyBytes;
  const backend = new KafkaBackend({ profile, logger, sendTimeoutMs: opts.sendTimeoutMs });
  const batcher = new LingerBatcher({
    lingerMs: profile.proxy.lingerMs,
    maxBatchBytes: MAX_BATCH_BYTES,
    send: backend.send,
  });
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  let requests = 0;
  let inFlight = 0;
  let draining = false;
  let onIdle: (() => void) | undefined;
  /** Answers not yet written: told to close their connection when draining starts. */
  const open = new Set<ServerResponse>();

  const assign = (topic: string, parts: PartitionMetadata[], records: ProduceRecord[]): PartitionedRecord[] =>
    records.map((r) => {
      if (r.partition !== undefined) {
        if (!parts.some((p) => p.partitionId === r.partition))
          throw httpErrors.partitionNotFound(topic, r.partition);
        return { key: r.key, value: r.value, partition: r.partition };
      }
      const partition = partitioner({
        topic,
        partitionMetadata: parts,
        message: { key: r.key, value: r.value },
      });
      return { key: r.key, value: r.value, partition };
    });

  const knownPartitions = async (topic: string): Promise<PartitionMetadata[]> => {
    if (!isValidTopicName(topic))
      throw httpErrors.topicNotFound(topic, 'It is not a valid Kafka topic name.');
    const parts = await backend.partitions(topic).catch((err: unknown) => {
      throw kafkaFailure(err);
    });
    if (!parts) throw httpErrors.topicNotFound(topic);
    return parts;
  };

  const produce = async (
    req: IncomingMessage,
    res: ServerResponse,
    topic: string,
    pathPartition?: string,
  ) => {
    const format = formatFor(req.headers['content-type']);
    let partition: number | undefined;
    if (pathPartition !== undefined) {
      if (!/^\d{1,9}$/.test(pathPartition)) throw httpErrors.partitionNotFound(topic, Number.NaN);
      partition = Number(pathPartition);
    }
    const raw = await readBody(req, maxBody);
    const records = parseProduceBody(raw, format, partition);
    const parts = await knownPartitions(topic);
    const assigned = assign(topic, parts, records);
    const offsets = await batcher.submit(topic, assigned).catch((err: unknown) => {
      throw kafkaFailure(err);
    });
    sendJson(req, res, 200, produceResponse(offsets));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const r = route(url.pathname);
    if (!r) throw httpErrors.notFound(url.pathname);
    if (r.name === 'health') {
      const h = await backend.health();
      if (h.ok) return sendJson(req, res, 200, { status: 'UP', kafka: h.detail });
      throw httpErrors.kafka(true, `Kafka is not reachable: ${h.detail}`);
    }
    if (apiKey && !apiKeyMatches(apiKey, header(req, 'x-api-key'))) throw httpErrors.unauthorized();
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw httpErrors.methodNotAllowed();
    };
    switch (r.name) {
      case 'root':
        allow('GET');
        return sendJson(req, res, 200, {});
      case 'topics':
        allow('GET');
        return sendJson(req, res, 200, await backend.listTopics().catch(rethrowKafka));
      case 'topic': {
        allow('GET', 'POST');
        if (method === 'POST') return await produce(req, res, r.topic);
        await knownPartitions(r.topic);
        const d = await backend.describeTopic(r.topic).catch(rethrowKafka);
        if (!d) throw httpErrors.topicNotFound(r.topic);
        return sendJson(req, res, 200, d);
      }
      case 'partition':
        allow('POST');
        return await produce(req, res, r.topic, r.partition);
    }
  };

  const server = http.createServer((req, res) => {
    requests++;
    inFlight++;
    open.add(res);
    // Counted until the answer is handed to the OS (or the client went away), so a drain never cuts
    // off an answer that is still being written.
    res.once('close', () => {
      open.delete(res);
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    if (draining) res.setHeader('Connection', 'close');
    handle(req, res)
      .then(() => {
        if (!res.headersSent) throw httpErrors.internal('no answer was produced');
      })
      .catch((err: unknown) => {
        const e = err instanceof ProxyHttpError ? err : httpErrors.internal(describeError(err));
        if (e.status >= 500) logger.warn(`${req.method} ${req.url}: ${e.status} ${e.message}`);
        else logger.debug(`${req.method} ${req.url}: ${e.status} ${e.message}`);
        sendJson(req, res, e.status, e.body(), { close: draining });
      });
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 60_000;
  const port = await listen(server, host, opts.port ?? profile.proxy.port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    `REST proxy on ${url} → Kafka ${profile.kafka.brokers.join(',')} (linger ${profile.proxy.lingerMs} ms)`,
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      for (const res of open) if (!res.headersSent) res.setHeader('Connection', 'close');
      // Connections the kernel accepted but Node has not yet picked up would be reset when the
      // listener closes: let the event loop take them in first.
      await sleep(DRAIN_GRACE_MS);
      // Stop accepting without http.Server#close's closeIdleConnections(): a connection whose request
      // bytes are not parsed yet counts as idle, and would be reset instead of answered.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      const deadline = Date.now() + (opts.drainTimeoutMs ?? 30_000);
      let announced = false;
      do {
        await sleep(DRAIN_GRACE_MS);
        if (inFlight > 0) {
          if (!announced) logger.info(`draining ${inFlight} request(s) in flight`);
          announced = true;
          await new Promise<void>((resolve) => {
            onIdle = resolve;
            setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
          });
        }
      } while (inFlight > 0 && Date.now() < deadline);
      await batcher.flush();
      server.closeAllConnections();
      await closed;
      await backend.close();
      logger.info(`REST proxy stopped after ${requests} request(s), ${batcher.stats.records} record(s)`);
    })());

  return {
    url,
    port,
    stats: () => ({ requests, records: batcher.stats.records, sends: batcher.stats.sends }),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function rethrowKafka(err: unknown): never {
  throw kafkaFailure(err);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        new PinpipeError(
          'PROXY_UNAVAILABLE',
          err.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is in use: stop the other process or set proxy.port (PINPIPE_PROXY__PORT).`
            : `The proxy cannot listen on ${host}:${port}: ${err.message}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
