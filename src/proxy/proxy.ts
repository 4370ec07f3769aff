import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Profile } from '../config/schema.ts';
import { readSecret } from '../config/env.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { log, type Logger } from '../log.ts';
import { Admission } from './admission.ts';
import { httpErrors, ProxyHttpError } from './confluent-errors.ts';
import { sendJson } from './http-io.ts';
import { KafkaBackend } from './kafka-backend.ts';
import { LingerBatcher } from './linger-batcher.ts';
import { route, routeLabel } from './router.ts';
import { openAckLedger, proxyLedgerPath, type AckLedger } from './ack-ledger.ts';
import { ProxyMetrics } from './metrics.ts';
import { KNOWN_DOWN, produceHandler } from './produce-handler.ts';
import { RequestTracker, drainServer } from './drain.ts';
import { dispatcher } from './dispatch.ts';

/**
 * `pinpipe proxy`: the produce side of Confluent's REST Proxy v2 on node:http, plus GET /health and
 * GET /metrics (Prometheus). Routing is in router.ts, the produce path in produce-handler.ts, the
 * drain on close in drain.ts; this module wires them to one server. Memory is bounded by the
 * profile's caps.
 */
export interface StartProxyOptions {
  profile: Profile;
  host?: string;
  port?: number;
  logger?: Logger;
  /** The API key clients must send as X-API-Key; default: the variable named by profile.proxy.apiKeyEnv. */
  apiKey?: string;
  /** Longest wait for Kafka's acknowledgement before answering 503 (default proxy.sendTimeoutMs). */
  sendTimeoutMs?: number;
  /** While Kafka is known to be down, how often it is probed (default 1 s). */
  probeIntervalMs?: number;
  /** Longest wait for in-flight requests on close (default 30 s). */
  drainTimeoutMs?: number;
}

export interface StartedProxy {
  url: string;
  port: number;
  /** Records and Kafka sends so far (how well lingering gathers records), and answers over a cap. */
  stats(): {
    requests: number;
    records: number;
    sends: number;
    tooMany: number;
    /** Produce requests admitted now and the bytes they (and abandoned Kafka sends) hold. */
    inFlight: { requests: number; bytes: number };
    connections: number;
  };
  /** The Prometheus metrics served at GET /metrics (docs/metrics.md). */
  metrics: ProxyMetrics;
  /** Stops accepting, answers the requests in flight, then disconnects from Kafka. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

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
  const caps = profile.proxy;
  const retryAfter = caps.retryAfterSeconds;
  const backend = new KafkaBackend({
    profile,
    logger,
    sendTimeoutMs: opts.sendTimeoutMs ?? caps.sendTimeoutMs,
    probeIntervalMs: opts.probeIntervalMs,
  });
  const admission = new Admission(caps, () => backend.abandonedBytes());
  let connections = 0;
  const metrics = new ProxyMetrics({ inFlight: () => admission.inFlight, connections: () => connections });
  const batcher = new LingerBatcher({
    lingerMs: profile.proxy.lingerMs,
    maxBatchBytes: MAX_BATCH_BYTES,
    send: metrics.countSends(backend.send),
  });
  /** Opened once the port is bound. */
  const ledger: { acks?: AckLedger } = {};
  const { produce, knownPartitions } = produceHandler({
    backend,
    admission,
    batcher,
    acks: () => ledger.acks!,
    metrics,
    maxBody: caps.maxBodyBytes,
    retryAfter,
  });
  let requests = 0;
  let tooMany = 0;
  /** Connections accepted while `maxConnections` were open: their requests are answered 429. */
  const overCap = new WeakSet<Socket>();
  const tracker = new RequestTracker();

  const handle = dispatcher({
    backend,
    metrics,
    apiKey,
    overCap: (req) => overCap.has(req.socket),
    produce,
    knownPartitions,
    retryAfter,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    requests++;
    const r = route(new URL(req.url ?? '/', 'http://proxy.invalid').pathname);
    let errorCode: number | undefined;
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.answered(routeLabel(r), res.headersSent ? res.statusCode : 0, seconds, errorCode);
    });
    tracker.track(res);
    handle(req, res, r)
      .then(() => {
        if (!res.headersSent) throw httpErrors.internal('no answer was produced');
      })
      .catch((err: unknown) => {
        const e = err instanceof ProxyHttpError ? err : httpErrors.internal(describeError(err));
        errorCode = e.errorCode;
        // The detail (Kafka's message, broker addresses) goes to the log only, under the request id.
        const line = `request ${requestId}: ${req.method} ${req.url} → ${e.status} ${e.detail ?? e.message}`;
        if (e.status >= 500 && e.detail !== KNOWN_DOWN) logger.warn(line);
        else logger.debug(line);
        if (e.status === 429) tooMany++;
        if (e.status === 429 || e.status === 503)
          res.setHeader('Retry-After', String(e.retryAfter ?? retryAfter));
        // Over a cap: the connection is closed, so a client over the connection cap reconnects.
        sendJson(req, res, e.status, e.body(requestId), { close: tracker.draining || e.status === 429 });
      });
  };

  const server = http.createServer(
    {
      headersTimeout: Math.min(caps.headersTimeoutMs, caps.requestTimeoutMs),
      requestTimeout: caps.requestTimeoutMs,
      keepAliveTimeout: 5_000,
      // How often the header and request timeouts are checked (Node's default is 30 s).
      connectionsCheckingInterval: Math.min(1_000, caps.headersTimeoutMs),
    },
    onRequest,
  );
  // A hard ceiling far above the cap: connections beyond it are dropped by Node without an answer.
  server.maxConnections = caps.maxConnections * 2;
  server.on('connection', (socket: Socket) => {
    connections++;
    if (connections > caps.maxConnections) overCap.add(socket);
    socket.once('close', () => connections--);
  });
  const port = await listen(server, host, opts.port ?? profile.proxy.port);
  ledger.acks = openAckLedger(proxyLedgerPath(profile));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    `REST proxy on ${url} → Kafka ${profile.kafka.brokers.join(',')} (linger ${profile.proxy.lingerMs} ms)`,
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await drainServer(server, tracker, {
        drainTimeoutMs: opts.drainTimeoutMs ?? 30_000,
        logger,
        beforeClose: () => batcher.flush(),
      });
      await backend.close();
      ledger.acks?.close();
      logger.info(`REST proxy stopped after ${requests} request(s), ${batcher.stats.records} record(s)`);
    })());

  return {
    url,
    port,
    stats: () => ({
      requests,
      records: batcher.stats.records,
      sends: batcher.stats.sends,
      tooMany,
      inFlight: admission.inFlight,
      connections,
    }),
    metrics,
    close,
    [Symbol.asyncDispose]: close,
  };
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
