import { DeleteRestApiCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiGateway } from '../../src/clients/index.ts';
import { isPinpipeError } from '../../src/errors.ts';
import {
  applyGateway,
  planProvision,
  provisionGateway,
  resolveInvokeUrl,
} from '../../src/provision/index.ts';
import { startProxy, type StartedProxy } from '../../src/proxy/index.ts';
import type { Profile } from '../../src/config/index.ts';
import { uniqueName } from '../../testkit/names.ts';
import { testProfile } from '../helpers/profile.ts';
import { BINARY_V2, consumeBack, JSON_V2, quietLogger, rawRequest, uniqueTopics } from './proxy-helpers.ts';

/**
 * The API Gateway hop: provision a REST API with a unique name on MiniStack, then
 * invoke URL → HTTP_PROXY integration → our proxy → Kafka, and consume the records back.
 */
describe('API Gateway → REST proxy → Kafka (MiniStack)', { timeout: 120_000 }, () => {
  let profile: Profile;
  let proxy: StartedProxy;
  let topics: Awaited<ReturnType<typeof uniqueTopics>>;
  let topic: string;
  let restApiId: string | undefined;
  let url: string;
  /** What the first provisioning said and returned (beforeAll provisions, so every test has the API). */
  const said: string[] = [];
  let first: Awaited<ReturnType<typeof provisionGateway>>;

  beforeAll(async () => {
    const base = testProfile();
    topics = await uniqueTopics(base, ['gateway']);
    topic = topics.names[0]!;
    proxy = await startProxy({ profile: base, port: 0, logger: quietLogger() });
    profile = testProfile((p) => ({
      ...p,
      apiGateway: { ...p.apiGateway, restApiName: uniqueName('pinpipe-gw-test') },
      proxy: { ...p.proxy, url: proxy.url },
    }));
    first = await provisionGateway(profile, (m) => said.push(m));
    restApiId = first.restApiId;
    url = first.invokeUrl;
  });
  afterAll(async () => {
    if (restApiId) {
      const client = createApiGateway(profile);
      await client.send(new DeleteRestApiCommand({ restApiId })).catch(() => undefined);
      client.destroy();
    }
    await proxy?.close();
    await topics?.[Symbol.asyncDispose]();
  });

  it('provisions {proxy+} / ANY / HTTP_PROXY / stage, and a second run changes nothing', async () => {
    expect(said.join('\n')).toMatch(
      /created REST API[\s\S]*\{proxy\+\}[\s\S]*ANY[\s\S]*HTTP_PROXY[\s\S]*deployed stage test/,
    );
    expect(first.invokeUrl).toBe(`${profile.aws.endpoint}/restapis/${first.restApiId}/test/_user_request_`);
    const again = await applyGateway(profile, planProvision(profile).restApi);
    expect(again.restApiId).toBe(first.restApiId);
    expect(again.changes).toEqual([]);
    expect(await resolveInvokeUrl(profile)).toBe(first.invokeUrl);
  });

  it('updates and redeploys the integration when the proxy URL changes, then restores it', async () => {
    const moved = { ...profile, proxy: { ...profile.proxy, url: 'http://127.0.0.1:1' } };
    const changed = await applyGateway(moved, planProvision(moved).restApi);
    expect(changed.restApiId).toBe(restApiId);
    expect(changed.changes).toEqual([
      'updated HTTP_PROXY integration → http://127.0.0.1:1/{proxy}',
      `deployed stage ${profile.apiGateway.stage}`,
    ]);
    const restored = await applyGateway(profile, planProvision(profile).restApi);
    expect(restored.changes).toEqual([
      `updated HTTP_PROXY integration → ${proxy.url}/{proxy}`,
      `deployed stage ${profile.apiGateway.stage}`,
    ]);
    expect((await applyGateway(profile, planProvision(profile).restApi)).changes).toEqual([]);
  });

  it('forwards a JSON produce through the gateway and the records reach Kafka', async () => {
    const values = Array.from({ length: 20 }, (_, i) => ({ ind: i, via: 'gateway' }));
    const acked: Array<{ partition: number; offset: number }> = [];
    for (const value of values) {
      const r = await rawRequest(`${url}/topics/${topic}`, {
        method: 'POST',
        headers: { 'content-type': JSON_V2 },
        body: JSON.stringify({ records: [{ value }] }),
      });
      expect(r.status, r.body).toBe(200);
      const body = JSON.parse(r.body);
      expect(body).toMatchObject({ key_schema_id: null, value_schema_id: null });
      acked.push(body.offsets[0]);
    }
    const b = await rawRequest(`${url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': BINARY_V2 },
      body: JSON.stringify({ records: [{ value: Buffer.from('binary via gateway').toString('base64') }] }),
    });
    expect(b.status).toBe(200);
    const back = await consumeBack(profile, topic, values.length + 1);
    expect(back).toHaveLength(values.length + 1);
    const byPos = new Map(back.map((m) => [`${m.partition}/${m.offset}`, m.value]));
    acked.forEach((a, i) => expect(JSON.parse(byPos.get(`${a.partition}/${a.offset}`)!)).toEqual(values[i]));
    expect(back.map((m) => m.value)).toContain('binary via gateway');
  });

  it('passes 4xx answers and their Confluent bodies back to the client', async () => {
    const unknown = await rawRequest(`${url}/topics/${topic}-missing`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"value":1}]}',
    });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({
      error_code: 40401,
      message: expect.stringMatching(/^Topic not found\./),
    });
    const media = await rawRequest(`${url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"records":[{"value":1}]}',
    });
    expect(media.status).toBe(415);
    expect(JSON.parse(media.body).error_code).toBe(415);
    const invalid = await rawRequest(`${url}/topics/${topic}`, {
      method: 'POST',
      headers: { 'content-type': JSON_V2 },
      body: '{"records":[{"key":"no value"}]}',
    });
    expect(invalid.status).toBe(422);
    expect(JSON.parse(invalid.body).error_code).toBe(42206);
    const list = await rawRequest(`${url}/topics`, {});
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toContain(topic);
  });

  it('resolveInvokeUrl names the fix when no REST API has the name', async () => {
    const missing = testProfile((p) => ({
      ...p,
      apiGateway: { ...p.apiGateway, restApiName: uniqueName('pinpipe-absent') },
    }));
    const err = await resolveInvokeUrl(missing).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'GATEWAY_FAILED')).toBe(true);
    expect((err as Error).message).toContain('pinpipe provision');
    const fixed = testProfile((p) => ({
      ...p,
      apiGateway: { ...p.apiGateway, invokeUrl: 'https://abc.example/test/' },
    }));
    expect(await resolveInvokeUrl(fixed)).toBe('https://abc.example/test');
  });
});
