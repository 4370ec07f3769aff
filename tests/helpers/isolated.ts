import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DeleteRestApiCommand, GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { loadProfile, readEnv, topicNames, type Profile } from '../../src/config/index.ts';
import { createApiGateway, createKafkaAdmin, createS3 } from '../../src/clients/index.ts';
import { freePort } from '../../testkit/ports.ts';

/**
 * Environment overrides that give one test its own pipeline on the shared sandbox: own pipeline id
 * (so its own topics), bucket, REST API, proxy port, consumer group and batch folder.
 */
export async function isolatedPipelineEnv(tag: string): Promise<Record<string, string>> {
  const id = `${tag}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.toLowerCase();
  const port = await freePort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `pinpipe-${tag}-`));
  return {
    PINPIPE_PIPELINE_ID: id,
    PINPIPE_S3__BUCKET: `${id}-bucket`,
    PINPIPE_API_GATEWAY__REST_API_NAME: `pinpipe-${id}`,
    PINPIPE_PROXY__PORT: String(port),
    PINPIPE_PROXY__URL: `http://127.0.0.1:${port}`,
    PINPIPE_SINK__GROUP_ID: `connect-${id}`,
    PINPIPE_BATCH__WORK_DIR: path.join(work, 'batch'),
  };
}

export function profileFor(env: Record<string, string>): Profile {
  return loadProfile('local', readEnv({ ...process.env, ...env })).profile;
}

/** Deletes what an isolated pipeline created: topics, bucket (emptied first), REST API, work folder. */
export async function cleanupPipeline(env: Record<string, string>): Promise<void> {
  const profile = profileFor(env);
  const admin = createKafkaAdmin(profile);
  await admin.deleteTopics({ topics: Object.values(topicNames(profile)) }).catch(() => {});
  await admin.close();
  const s3 = createS3(profile);
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: profile.s3.bucket }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: profile.s3.bucket, Delete: { Objects: keys } }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: profile.s3.bucket }));
  } catch {
    /* already gone */
  } finally {
    s3.destroy();
  }
  const apigw = createApiGateway(profile);
  const apis = await apigw.send(new GetRestApisCommand({ limit: 500 })).catch(() => ({ items: [] }));
  for (const api of apis.items ?? []) {
    if (api.name === profile.apiGateway.restApiName) {
      await apigw.send(new DeleteRestApiCommand({ restApiId: api.id! })).catch(() => {});
    }
  }
  apigw.destroy();
  fs.rmSync(path.dirname(profile.batch.workDir), { recursive: true, force: true });
}
