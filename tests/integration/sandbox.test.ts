import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  DeleteRestApiCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import {
  createApiGateway,
  createKafkaAdmin,
  createKafkaConsumer,
  createKafkaProducer,
  createS3,
  connectMysql,
  invokeUrl,
} from '../../src/clients/index.ts';
import { testProfile } from '../helpers/profile.ts';
import { uniqueName } from '../../testkit/names.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';
import { quoteString } from '../../src/clients/mysql.ts';
import { mysqlPaths, serverAccount } from '../../sandbox/mysql/setup.ts';

// Real clients against the real sandbox services.
const profile = testProfile();

describe('sandbox services answer real clients', { timeout: 60_000 }, () => {
  it('MySQL: mysql2 runs a query on the profile database', async () => {
    const conn = await connectMysql(profile);
    try {
      const [rows] = await conn.query('SELECT DATABASE() AS db, 6 * 7 AS answer');
      expect(rows).toEqual([{ db: profile.mysql.database, answer: 42 }]);
    } finally {
      await conn.end();
    }
  });

  it('MySQL: the app user holds rights on its own database and the test schemas only; no file access; the server is not root', async () => {
    const conn = await connectMysql(profile);
    try {
      // no FILE privilege: LOAD_FILE reads nothing, INTO OUTFILE is refused
      expect((await conn.query('SELECT LOAD_FILE(?) AS f', ['/etc/hostname']))[0]).toEqual([{ f: null }]);
      const out = path.join('/tmp', `${uniqueName('pinpipe-outfile')}.txt`);
      await expect(conn.query(`SELECT 1 INTO OUTFILE ${quoteString(out)}`)).rejects.toThrow(
        /Access denied; you need \(at least one of\) the FILE privilege/,
      );
      expect(fs.existsSync(out)).toBe(false);
      // no global grant: *.* is USAGE alone; a database outside the allowed names cannot be created
      const [grants] = await conn.query<mysql.RowDataPacket[]>('SHOW GRANTS');
      const onAll = grants.map((g) => Object.values(g)[0] as string).filter((g) => / ON \*\.\* /.test(g));
      expect(onAll).toHaveLength(1);
      expect(onAll[0]).toMatch(/^GRANT USAGE ON \*\.\* TO /);
      await expect(conn.query(`CREATE DATABASE ${uniqueName('other').replace(/-/g, '_')}`)).rejects.toThrow(
        /Access denied for user/,
      );
      // the server's own file folder is inside the sandbox folder
      const [[priv]] = await conn.query<mysql.RowDataPacket[]>('SELECT @@secure_file_priv AS p');
      expect(priv!.p).toBe(`${path.join(path.resolve(mysqlPaths(profile).dir), 'files')}/`);
    } finally {
      await conn.end();
    }
    const pid = fs.readFileSync(path.join(mysqlPaths(profile).dir, 'mysqld.pid'), 'utf8').trim();
    // the account serverAccount chose: the invoking user, or the mysql account for root (root itself
    // only where that account cannot reach the sandbox folder, said in the log)
    const runsAs = execFileSync('ps', ['-o', 'user=', '-p', pid], { encoding: 'utf8' }).trim();
    expect(runsAs).toBe(serverAccount(mysqlPaths(profile).dir)?.name ?? os.userInfo().username);
    if (process.getuid?.() !== 0 || serverAccount(mysqlPaths(profile).dir)?.name === 'mysql')
      expect(runsAs).not.toBe('root');
  });

  it('the services inherit an allow-listed environment: no credentials, no PINPIPE_* overrides', () => {
    const allowed = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|TZ|TMPDIR|LC_\w+)$/;
    const own =
      /^(BIND_HOST|GATEWAY_PORT|EDGE_PORT|S3_PERSIST|S3_DATA_DIR|LOG_LEVEL|MINISTACK_HOST|SERVICES)$/;
    for (const [service, pidFile] of [
      ['mysql', 'mysql/mysqld.pid'],
      ['kafka', 'kafka/kafka.pid'],
      ['s3', 's3/ministack.pid'],
    ] as const) {
      const pid = fs.readFileSync(path.join(path.resolve(profile.sandbox.dir), pidFile), 'utf8').trim();
      const names = fs
        .readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter((e) => e !== '')
        .map((e) => e.slice(0, e.indexOf('=')));
      expect(
        names.filter((n) => !allowed.test(n) && !(service === 's3' && own.test(n))),
        service,
      ).toEqual([]);
    }
  });

  it('Kafka: the project’s clients produce and consume a round trip on a unique topic', async () => {
    const topic = uniqueName('it-sandbox');
    const admin = createKafkaAdmin(profile);
    await createTopicsReady(admin, { topics: [{ topic, numPartitions: 2 }] });
    const producer = createKafkaProducer(profile);
    const consumer = createKafkaConsumer(profile, { groupId: uniqueName('it-sandbox-group') });
    try {
      const values = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i }));
      await producer.send({ messages: values.map((value) => ({ topic, value: Buffer.from(value) })) });
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
      const seen: string[] = [];
      const timer = setTimeout(() => void stream.close(), 30_000);
      for await (const message of stream) {
        seen.push(message.value.toString());
        if (seen.length === values.length) break;
      }
      clearTimeout(timer);
      await stream.close();
      expect(seen.sort()).toEqual([...values].sort());
    } finally {
      await consumer.close(true);
      await producer.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.close();
    }
  });

  it('S3: put, list and get with the SDK default checksum settings', async () => {
    const s3 = createS3(profile);
    const Bucket = uniqueName('it-sandbox');
    await s3.send(new CreateBucketCommand({ Bucket }));
    try {
      const body = '{"a":1}\n{"a":2}\n';
      await s3.send(
        new PutObjectCommand({ Bucket, Key: 'topics/t/partition=0/t+0+0000000000.json', Body: body }),
      );
      const list = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'topics/' }));
      expect(list.Contents?.map((o) => o.Key)).toEqual(['topics/t/partition=0/t+0+0000000000.json']);
      const got = await s3.send(
        new GetObjectCommand({ Bucket, Key: 'topics/t/partition=0/t+0+0000000000.json' }),
      );
      expect(await got.Body!.transformToString()).toBe(body);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: 'topics/t/partition=0/t+0+0000000000.json' }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
      s3.destroy();
    }
  });
});

describe('API Gateway: {proxy+} / ANY / HTTP proxy to a local server', { timeout: 60_000 }, () => {
  let server: http.Server;
  let port: number;
  const seen: Array<{ method: string; url: string; contentType: string | undefined; body: string }> = [];
  const apigw = createApiGateway(profile);
  let restApiId = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ echoed: req.url }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    if (restApiId) await apigw.send(new DeleteRestApiCommand({ restApiId })).catch(() => {});
    apigw.destroy();
    await new Promise((r) => server.close(r));
  });

  it('creates the API with the SDK and invokes it over HTTP', async () => {
    const api = await apigw.send(new CreateRestApiCommand({ name: uniqueName('it-gw') }));
    restApiId = api.id!;
    const resources = await apigw.send(new GetResourcesCommand({ restApiId }));
    const rootId = resources.items!.find((r) => r.path === '/')!.id!;
    const proxy = await apigw.send(
      new CreateResourceCommand({ restApiId, parentId: rootId, pathPart: '{proxy+}' }),
    );
    await apigw.send(
      new PutMethodCommand({
        restApiId,
        resourceId: proxy.id!,
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        requestParameters: { 'method.request.path.proxy': true },
      }),
    );
    await apigw.send(
      new PutIntegrationCommand({
        restApiId,
        resourceId: proxy.id!,
        httpMethod: 'ANY',
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'ANY',
        uri: `http://127.0.0.1:${port}/{proxy}`,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      }),
    );
    await apigw.send(new CreateDeploymentCommand({ restApiId, stageName: profile.apiGateway.stage }));

    const url = `${invokeUrl(profile, restApiId)}/topics/x.pin`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.kafka.json.v2+json' },
      body: '{"records":[{"value":{"a":1}}]}',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ echoed: '/topics/x.pin' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/topics/x.pin',
      contentType: 'application/vnd.kafka.json.v2+json',
      body: '{"records":[{"value":{"a":1}}]}',
    });
  });
});
