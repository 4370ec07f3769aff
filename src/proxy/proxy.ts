import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Profile, readSecret } from '../config/index.ts';
import { PinpipeError } from '../errors.ts';
import { log, type Logger } from '../log.ts';
import { Admission } from './admission.ts';
import { KafkaBackend } from './kafka-backend.ts';
import { LingerBatcher } from './linger-batcher.ts';
import { openAckLedger, proxyLedgerPath, type AckLedger } from '../ledger/index.ts';
import { ProxyMetrics } from './metrics.ts';
import { produceHandler } from './produce-handler.ts';
import { RequestTracker, drainServer } from './drain.ts';
import { dispatcher } from './dispatch.ts';
import { createProxyServer, requestHandler, type RequestCounts } from './server.ts';
import { BurstLog } from './burst-log.ts';
import { hostServed, isLoopbackHost, servedHosts } from './host-check.ts';

/**
 * `pinpipe proxy`: the produce side of Confluent's REST Proxy v2 on node:http, plus GET /health and
 * GET /metrics (Prometheus). Routing is in router.ts, the answer per route in dispatch.ts, the
 * produce path in produce-handler.ts, the server and one request's life around its handler in
 * server.ts, the drain on close in drain.ts; this module wires them together. Memory is bounded by the
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
  const apiKey = resolveApiKey(opts, host, logger);
  const caps = profile.proxy;
  const retryAfter = caps.retryAfterSeconds;
  const backend = new KafkaBackend({
    profile,
    logger,
    sendTimeoutMs: opts.sendTimeoutMs ?? caps.sendTimeoutMs,
    probeIntervalMs: opts.probeIntervalMs,
  });
  const admission = new Admission(caps, () => backend.abandonedBytes());
  // The server is made before its handler: the metrics and the dispatcher read its connection counts.
  const onRequest: { fn?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const srv = createProxyServer(caps, (req, res) => onRequest.fn!(req, res));
  const metrics = new ProxyMetrics({ inFlight: () => admission.inFlight, connections: srv.connections });
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
  const counts: RequestCounts = { requests: 0, tooMany: 0 };
  const tracker = new RequestTracker();
  /** The Host names served, known once the port is bound (port 0 picks one). */
  const served: { hosts?: Set<string> } = {};
  const handle = dispatcher({
    hostServed: (h) => hostServed(served.hosts, h),
    backend,
    metrics,
    apiKey,
    overCap: srv.overCap,
    produce,
    knownPartitions,
    retryAfter,
  });
  const burst = new BurstLog(logger);
  onRequest.fn = requestHandler({ handle, metrics, tracker, logger, burst, retryAfter, counts });

  const port = await listen(srv.server, host, opts.port ?? profile.proxy.port);
  served.hosts = servedHosts(host, port, profile.proxy.url);
  ledger.acks = openAckLedger(proxyLedgerPath(profile));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    `REST proxy on ${url} → Kafka ${profile.kafka.brokers.join(',')} (linger ${profile.proxy.lingerMs} ms)`,
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await drainServer(srv.server, tracker, {
        drainTimeoutMs: opts.drainTimeoutMs ?? 30_000,
        logger,
        beforeClose: () => batcher.flush(),
      });
      await backend.close();
      ledger.acks?.close();
      logger.info(
        `REST proxy stopped after ${counts.requests} request(s), ${batcher.stats.records} record(s)`,
      );
    })());

  return {
    url,
    port,
    stats: () => ({
      requests: counts.requests,
      records: batcher.stats.records,
      sends: batcher.stats.sends,
      tooMany: counts.tooMany,
      inFlight: admission.inFlight,
      connections: srv.connections(),
    }),
    metrics,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The key clients must send: the option, else the variable the profile names (which must be set). */
function resolveApiKey(opts: StartProxyOptions, host: string, logger: Logger): string | undefined {
  const { apiKeyEnv } = opts.profile.proxy;
  const apiKey = opts.apiKey ?? readSecret(apiKeyEnv);
  if (apiKeyEnv && !apiKey) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `proxy.apiKeyEnv names ${apiKeyEnv}, which is not set: export it, or remove proxy.apiKeyEnv from the profile.`,
    );
  }
  if (!apiKey && !isLoopback(host)) {
    logger.warn(
      `the proxy listens on ${host} without an API key: anyone who can reach it can write to Kafka`,
    );
  }
  return apiKey;
}

export const isLoopback = isLoopbackHost;

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
