import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiKeyMatches } from './api-key.ts';
import { httpErrors } from './confluent-errors.ts';
import { sendJson } from './http-io.ts';
import type { KafkaBackend, PartitionMetadata } from './kafka-backend.ts';
import { kafkaFailure } from './kafka-errors.ts';
import type { ProxyMetrics } from './metrics.ts';
import type { Route } from './router.ts';

export interface DispatchDeps {
  backend: KafkaBackend;
  metrics: ProxyMetrics;
  /** The key clients must send as X-API-Key; undefined: no key asked. */
  apiKey: string | undefined;
  /** True for a request on a connection accepted over the connection cap. */
  overCap: (req: IncomingMessage) => boolean;
  produce: (req: IncomingMessage, res: ServerResponse, topic: string, partition?: string) => Promise<void>;
  knownPartitions: (topic: string) => Promise<PartitionMetadata[]>;
  retryAfter: number;
  /** False for a Host header the proxy does not serve (host-check.ts). */
  hostServed: (host: string | undefined) => boolean;
  /** How long one Kafka health check answers /health (default 1 s). */
  healthCacheMs?: number;
  now?: () => number;
}

type Health = Awaited<ReturnType<KafkaBackend['health']>>;

/**
 * Answers one routed request: the Host first, then /health (under the connection cap, one Kafka
 * check per second whatever the request rate) and /metrics (no API key), then the key and the
 * connection cap, then the v2 routes with their allowed methods.
 */
export function dispatcher(d: DispatchDeps) {
  const now = d.now ?? Date.now;
  const healthCacheMs = d.healthCacheMs ?? 1_000;
  let health: { at: number; answer: Promise<Health> } | undefined;
  const cachedHealth = (): Promise<Health> => {
    if (health === undefined || now() - health.at >= healthCacheMs)
      health = { at: now(), answer: d.backend.health() };
    return health.answer;
  };
  return async (req: IncomingMessage, res: ServerResponse, r: Route | undefined): Promise<void> => {
    const method = req.method ?? 'GET';
    const host = header(req, 'host');
    if (!d.hostServed(host)) throw httpErrors.forbiddenHost(host);
    if (!r) throw httpErrors.notFound(new URL(req.url ?? '/', 'http://proxy.invalid').pathname);
    if (r.name === 'health') {
      if (d.overCap(req)) throw httpErrors.tooManyRequests('connections', d.retryAfter);
      const h = await cachedHealth();
      if (h.ok) return sendJson(req, res, 200, { status: 'UP' });
      throw httpErrors.kafka(true, `health check: ${h.detail}`, d.retryAfter);
    }
    if (r.name === 'metrics') {
      // Unauthenticated like /health: counts and timings only, no topic data, hosts or keys.
      if (method !== 'GET') throw httpErrors.methodNotAllowed();
      const text = await d.metrics.text();
      res.writeHead(200, { 'Content-Type': d.metrics.contentType });
      res.end(text);
      return;
    }
    if (d.apiKey && !apiKeyMatches(d.apiKey, header(req, 'x-api-key'))) throw httpErrors.unauthorized();
    if (d.overCap(req)) throw httpErrors.tooManyRequests('connections', d.retryAfter);
    const allow = (...methods: string[]) => {
      if (!methods.includes(method)) throw httpErrors.methodNotAllowed();
    };
    switch (r.name) {
      case 'root':
        allow('GET');
        return sendJson(req, res, 200, {});
      case 'topics':
        allow('GET');
        return sendJson(req, res, 200, await d.backend.listTopics().catch(rethrowKafka));
      case 'topic': {
        allow('GET', 'POST');
        if (method === 'POST') return await d.produce(req, res, r.topic);
        await d.knownPartitions(r.topic);
        const described = await d.backend.describeTopic(r.topic).catch(rethrowKafka);
        if (!described) throw httpErrors.topicNotFound(r.topic);
        return sendJson(req, res, 200, described);
      }
      case 'partition':
        allow('POST');
        return await d.produce(req, res, r.topic, r.partition);
    }
  };
}

function rethrowKafka(err: unknown): never {
  throw kafkaFailure(err);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
