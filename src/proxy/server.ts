import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { httpErrors, ProxyHttpError } from './confluent-errors.ts';
import type { RequestTracker } from './drain.ts';
import type { BurstLog } from './burst-log.ts';
import { sendJson } from './http-io.ts';
import type { ProxyMetrics } from './metrics.ts';
import { KNOWN_DOWN } from './produce-handler.ts';
import { route, routeLabel, type Route } from './router.ts';

type Caps = Profile['proxy'];

/** Requests answered so far, and how many of them were 429 (over a cap). */
export interface RequestCounts {
  requests: number;
  tooMany: number;
}

export interface RequestHandlerDeps {
  handle: (req: IncomingMessage, res: ServerResponse, r: Route | undefined) => Promise<void>;
  metrics: ProxyMetrics;
  tracker: RequestTracker;
  logger: Logger;
  /** Where refusals a client can repeat at will are logged, once per burst. */
  burst: BurstLog;
  retryAfter: number;
  counts: RequestCounts;
}

/**
 * One request's life around its handler: a request id, the metrics, and one Confluent error body for
 * whatever the handler threw. The detail (Kafka's message, broker addresses) goes to the log only,
 * under the request id.
 */
export function requestHandler(d: RequestHandlerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    d.counts.requests++;
    const r = route(new URL(req.url ?? '/', 'http://proxy.invalid').pathname);
    let errorCode: number | undefined;
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      d.metrics.answered(routeLabel(r), res.headersSent ? res.statusCode : 0, seconds, errorCode);
    });
    d.tracker.track(res);
    d.handle(req, res, r)
      .then(() => {
        if (!res.headersSent) throw httpErrors.internal('no answer was produced');
      })
      .catch((err: unknown) => {
        const e = err instanceof ProxyHttpError ? err : httpErrors.internal(describeError(err));
        errorCode = e.errorCode;
        const line = `request ${requestId}: ${req.method} ${req.url} → ${e.status} ${e.detail ?? e.message}`;
        if (e.warnOncePerBurst) d.burst.warn(e.warnOncePerBurst, line);
        else if (e.status >= 500 && e.detail !== KNOWN_DOWN) d.logger.warn(line);
        else d.logger.debug(line);
        if (e.status === 429) d.counts.tooMany++;
        if (e.status === 429 || e.status === 503)
          res.setHeader('Retry-After', String(e.retryAfter ?? d.retryAfter));
        // Over a cap: the connection is closed, so a client over the connection cap reconnects.
        sendJson(req, res, e.status, e.body(requestId), { close: d.tracker.draining || e.status === 429 });
      });
  };
}

export interface ProxyServer {
  server: http.Server;
  /** Connections open now. */
  connections(): number;
  /** True for a request on a connection accepted while `maxConnections` were open (answered 429). */
  overCap(req: IncomingMessage): boolean;
}

/** The HTTP server with the profile's header and request timeouts and its connection cap. */
export function createProxyServer(
  caps: Caps,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): ProxyServer {
  let connections = 0;
  const overCap = new WeakSet<Socket>();
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
  return { server, connections: () => connections, overCap: (req) => overCap.has(req.socket) };
}
