import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway } from '../../src/clients/index.ts';
import type { Profile } from '../../src/config/index.ts';
import { createSender } from '../../src/emulator/index.ts';
import { provisionGateway } from '../../src/provision/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { JSON_V2, rawRequest } from './proxy-helpers.ts';

/**
 * Kafka unavailable behind the proxy, seen through API Gateway (MiniStack): the gateway passes the
 * 503 and its Confluent body (error_code 50003) but not the proxy's Retry-After, and the emulator's
 * sender still waits the outage out without using its retry budget. The proxy here is a stand-in
 * that answers as `pinpipe proxy` does while Kafka is down, then 200 — no Kafka is paused.
 */
describe('API Gateway → a proxy whose Kafka is down (MiniStack)', { timeout: 120_000 }, () => {
  let profile: Profile;
  let server: http.Server;
  let url: string;
  let restApiId: string | undefined;
  /** Until this time (epoch ms) the stand-in answers 503 + Retry-After: 1 + error_code 50003. */
  let downUntil = 0;
  let answered = { down: 0, up: 0 };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (Date.now() < downUntil) {
          answered.down++;
          res.writeHead(503, { 'content-type': 'application/vnd.kafka.v2+json', 'retry-after': '1' });
          res.end(
            JSON.stringify({ error_code: 50003, message: 'Kafka error (retriable): Kafka is unavailable' }),
          );
          return;
        }
        answered.up++;
        res.writeHead(200, { 'content-type': 'application/vnd.kafka.v2+json' });
        res.end(
          JSON.stringify({
            offsets: [{ partition: 0, offset: answered.up - 1, error_code: null, error: null }],
            key_schema_id: null,
            value_schema_id: null,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = testProfile((p) => ({
      ...p,
      apiGateway: { ...p.apiGateway, restApiName: uniqueName('pinpipe-gw-down') },
      proxy: { ...p.proxy, url: target },
    }));
    const gw = await provisionGateway(profile, () => undefined);
    restApiId = gw.restApiId;
    url = gw.invokeUrl;
  });

  afterAll(async () => {
    if (restApiId) {
      const client = createApiGateway(profile);
      await client.send(new DeleteRestApiCommand({ restApiId })).catch(() => undefined);
      client.destroy();
    }
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  it('passes the 503 and error_code 50003 through, without the Retry-After header', async () => {
    downUntil = Date.now() + 60_000;
    const r = await rawRequest(`${url}/topics/t`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"value":1}]}',
    });
    downUntil = 0;
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body)).toMatchObject({ error_code: 50003 });
    expect(r.headers['retry-after']).toBeUndefined();
  });

  it("the emulator's sender waits the outage out outside its retry budget and is acknowledged", async () => {
    answered = { down: 0, up: 0 };
    downUntil = Date.now() + 3000;
    const sender = createSender({
      baseUrl: url,
      connections: 1,
      retry: { retries: 0, minTimeoutMs: 10, maxTimeoutMs: 10 },
    });
    try {
      const r = await sender.send('t', [{ ind: 1 }]);
      expect(r.outcome).toEqual({ kind: 'ok', failed: [] });
      expect(r.throttled).toBe(answered.down);
      expect(answered.down).toBeGreaterThanOrEqual(2);
      expect(answered.up).toBe(1);
    } finally {
      await sender.close();
    }
  });
});
