import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import YAML from 'yaml';
import { App, CfnWaitConditionHandle, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import {
  GetApiKeysCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetRestApiCommand,
  GetStageCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthTemplate } from '../../infra/index.ts';
import { awsClientConfig, createApiGateway, createS3 } from '../../src/clients/index.ts';
import type { Profile } from '../../src/config/index.ts';
import { isPinpipeError, type PinpipeError } from '../../src/errors.ts';
import { ensureTopics, planProvision } from '../../src/provision/index.ts';
import {
  API_KEY_SECRET_FIELD,
  deployStack,
  destroyStack,
  readStackOutputs,
  stackNameFor,
} from '../../src/stack/index.ts';
import { cleanupPipeline, isolatedPipelineEnv, profileFor } from '../helpers/isolated.ts';
import { ROOT, runCli } from '../helpers/run.ts';
import { JSON_V2, rawRequest } from './proxy-helpers.ts';

/**
 * The CDK app's sandbox variant, synthesized from the local profile by infra/'s synthTemplate and
 * deployed to the sandbox's MiniStack CloudFormation under names of its own: the pipeline runs through
 * the REST API CloudFormation created (emulate → gateway → pinpipe proxy → Kafka → sink → S3 → batch →
 * verify), with a profile written by `pinpipe profile from-stack`; then a changed setting updates the
 * stack, and destroying it leaves only the retained bucket. Times are printed, never asserted.
 */
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    ['NotFoundException', 'NoSuchEntityException', 'NoSuchEntity', 'ResourceNotFoundException'].includes(
      e?.name ?? '',
    ) || e?.$metadata?.httpStatusCode === 404
  );
}

/** `pinpipe proxy` as a process on the profile's proxy port; resolves once it prints its URL. */
async function startProxyProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pinpipe.mjs'), 'proxy'], {
    cwd: ROOT,
    env: { ...process.env, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^(http:\/\/\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`pinpipe proxy exited ${code}: ${stderr}`)));
  });
  return { child, url };
}

describe('the CDK stack (sandbox variant) deployed to MiniStack CloudFormation', { timeout: 240_000 }, () => {
  let env: Record<string, string>;
  let profile: Profile;
  let stackName: string;
  let proxy: { child: ChildProcess; url: string } | undefined;
  let work: string;

  beforeAll(async () => {
    env = await isolatedPipelineEnv('cfn');
    env.PINPIPE_INFRA__STACK_NAME = `Pinpipe-${env.PINPIPE_PIPELINE_ID}`;
    profile = profileFor(env);
    stackName = stackNameFor(profile);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-cfn-'));
  });
  afterAll(async () => {
    proxy?.child.kill('SIGTERM');
    if (profile) {
      // a run that failed half-way leaves no stack, REST API, topics or bucket behind
      await destroyStack(profile, { stackName, timeoutMs: 30_000 }).catch(() => undefined);
      await cleanupPipeline(env);
    }
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('deploys, carries the pipeline through the gateway it created, updates and destroys', async () => {
    const gw = createApiGateway(profile);
    const iam = new IAMClient(awsClientConfig(profile));
    const secrets = new SecretsManagerClient(awsClientConfig(profile));
    const s3 = createS3(profile);
    try {
      // --- deploy: the template is the CDK app's, for this profile ---
      let t = Date.now();
      const template = synthTemplate(profile, 'sandbox');
      const synthMs = Date.now() - t;
      const progress: string[] = [];
      const created = await deployStack(profile, {
        stackName,
        template,
        timeoutMs: 60_000,
        onProgress: (line) => progress.push(line),
      });
      expect(created).toMatchObject({ operation: 'create', status: 'CREATE_COMPLETE', stackName });
      const completed = progress.filter((l) => l.endsWith(' CREATE_COMPLETE')).map((l) => l.split(' ')[1]);
      for (const type of [
        'AWS::S3::Bucket',
        'AWS::SecretsManager::Secret',
        'AWS::ApiGateway::RestApi',
        'AWS::ApiGateway::Resource',
        'AWS::ApiGateway::Method',
        'AWS::ApiGateway::Deployment',
        'AWS::ApiGateway::Stage',
        'AWS::ApiGateway::ApiKey',
        'AWS::ApiGateway::UsagePlan',
        'AWS::ApiGateway::UsagePlanKey',
        'AWS::IAM::Role',
        'AWS::IAM::Policy',
        'AWS::CloudFormation::Stack',
      ]) {
        expect(completed, type).toContain(type);
      }
      const out = created.outputs;
      expect(out).toMatchObject({
        PipelineId: profile.pipelineId,
        BucketName: profile.s3.bucket,
        RestApiName: profile.apiGateway.restApiName,
        StageName: 'test',
        ProxyUrl: profile.proxy.url,
      });
      const restApiId = out.RestApiId!;

      // the REST API CloudFormation created: {proxy+}, ANY, HTTP proxy to this run's proxy, stage test
      expect((await gw.send(new GetRestApiCommand({ restApiId }))).name).toBe(profile.apiGateway.restApiName);
      const resources = (await gw.send(new GetResourcesCommand({ restApiId }))).items ?? [];
      const greedy = resources.find((r) => r.path === '/{proxy+}');
      expect(Object.keys(greedy?.resourceMethods ?? {})).toEqual(['ANY']);
      const integration = await gw.send(
        new GetIntegrationCommand({ restApiId, resourceId: greedy!.id!, httpMethod: 'ANY' }),
      );
      expect(integration).toMatchObject({ type: 'HTTP_PROXY', uri: `${profile.proxy.url}/{proxy}` });
      expect((await gw.send(new GetStageCommand({ restApiId, stageName: 'test' }))).stageName).toBe('test');
      const method = () =>
        gw.send(new GetMethodCommand({ restApiId, resourceId: greedy!.id!, httpMethod: 'ANY' }));
      expect((await method()).apiKeyRequired).toBe(false);

      // --- a profile from the stack's outputs; doctor passes with it ---
      const written = path.join(work, 'cfn.yaml');
      const fromStack = await runCli(['profile', 'from-stack', '--out', written], { env });
      expect(fromStack.code, fromStack.stderr).toBe(0);
      const invokeUrl = `${profile.aws.endpoint}/restapis/${restApiId}/test/_user_request_`;
      const doc = YAML.parse(fs.readFileSync(written, 'utf8'));
      expect(doc).toMatchObject({
        name: 'cfn',
        pipelineId: profile.pipelineId,
        s3: { bucket: profile.s3.bucket },
        apiGateway: { restApiName: profile.apiGateway.restApiName, stage: 'test', invokeUrl },
        proxy: { url: profile.proxy.url },
      });
      expect(fromStack.stdout).toContain('pinpipe doctor --profile');
      const inSync = await runCli(['--profile', written, 'profile', 'from-stack', '--check'], { env });
      expect(inSync.code, inSync.stdout + inSync.stderr).toBe(0);
      // the shipped profile does not name the invoke URL: --check says so, exit 4
      const stale = await runCli(['profile', 'from-stack', '--check'], { env });
      expect(stale.code, stale.stderr).toBe(4);
      expect(stale.stdout).toContain(
        `DIFF  apiGateway.invokeUrl: the profile has null, the stack (RestApiId, StageName) "${invokeUrl}"`,
      );
      expect(stale.stderr).toContain('[PROFILE_STALE]');

      // --- the pipeline through the gateway CloudFormation created ---
      await ensureTopics(profile, planProvision(profile).topics);
      proxy = await startProxyProcess(env);
      expect(proxy.url).toBe(profile.proxy.url);
      const doctor = await runCli(['--profile', written, 'doctor'], { env });
      expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
      expect(doctor.stdout).toContain(invokeUrl);
      const emulate = await runCli(['--profile', written, 'emulate', '--count', '40', '--seed', '27'], {
        env,
      });
      expect(emulate.code, emulate.stderr.slice(-2000)).toBe(0);
      expect(emulate.stderr).toContain(`→ ${invokeUrl} (gateway)`);
      const sink = await runCli(['--profile', written, 'sink', '--drain'], { env });
      expect(sink.code, sink.stderr.slice(-2000)).toBe(0);
      const batch = await runCli(['--profile', written, 'batch'], { env });
      expect(batch.code, batch.stderr.slice(-2000)).toBe(0);
      const verify = await runCli(['--profile', written, 'verify'], { env });
      expect(verify.code, verify.stdout + verify.stderr.slice(-2000)).toBe(0);
      const rows = verify.stdout.split('\n').filter((l) => l.startsWith(`${profile.pipelineId}.`));
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const cells = row.trim().split(/\s+/);
        expect(cells.slice(1, 4), row).toEqual(['40', '40', '40']); // sent, in Kafka, in S3
        expect(cells.at(-1), row).toBe('ok');
      }

      // --- update: the gateway now requires the API key kept in Secrets Manager ---
      const keyed = profileFor({ ...env, PINPIPE_PROXY__API_KEY_ENV: 'PINPIPE_CFN_TEST_API_KEY' });
      t = Date.now();
      const keyedTemplate = synthTemplate(keyed, 'sandbox');
      const resynthMs = Date.now() - t;
      const updated = await deployStack(keyed, { stackName, template: keyedTemplate, timeoutMs: 60_000 });
      expect(updated).toMatchObject({ operation: 'update', status: 'UPDATE_COMPLETE' });
      expect(updated.outputs.RestApiId).toBe(restApiId);
      expect((await method()).apiKeyRequired).toBe(true);
      const secret = await secrets.send(new GetSecretValueCommand({ SecretId: out.ProxyApiKeySecretArn }));
      const apiKey = (JSON.parse(secret.SecretString!) as Record<string, string>)[API_KEY_SECRET_FIELD]!;
      // (never compared in a way that would print it; MiniStack ignores excludePunctuation, AWS does not)
      expect(apiKey.length, 'length of the generated API key').toBe(40);
      // the key is in no template, output, written profile or command output (booleans: never printed)
      const seen = [
        JSON.stringify(template),
        JSON.stringify(keyedTemplate),
        JSON.stringify(updated.outputs),
        fs.readFileSync(written, 'utf8'),
        fromStack.stdout + fromStack.stderr,
        doctor.stdout + doctor.stderr,
      ];
      expect(seen.map((text) => text.includes(apiKey))).toEqual(seen.map(() => false));
      const post = (headers: Record<string, string>) =>
        rawRequest(`${invokeUrl}/topics/${profile.pipelineId}.pin`, {
          method: 'POST',
          headers: { 'content-type': JSON_V2, ...headers },
          body: JSON.stringify({ records: [{ value: { via: 'updated stack' } }] }),
        });
      expect((await post({})).status).toBe(403);
      const keyedPost = await post({ 'x-api-key': apiKey });
      expect(keyedPost.status, keyedPost.body).toBe(200);
      // a template that changes nothing is no update
      const again = await deployStack(keyed, { stackName, template: keyedTemplate });
      expect(again).toMatchObject({ operation: 'none', status: 'UPDATE_COMPLETE' });

      // --- destroy: nothing left but the bucket, retained as declared ---
      const roleName = out.ClientHostRoleArn!.split('/').pop()!;
      expect((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.RoleName).toBe(roleName);
      t = Date.now();
      const destroyed = await destroyStack(profile, { stackName, timeoutMs: 60_000 });
      const destroyMs = Date.now() - t;
      expect(destroyed).toMatchObject({ operation: 'delete', status: 'DELETE_COMPLETE' });
      const gone = await readStackOutputs(profile, stackName).catch((e: unknown) => e);
      expect(isPinpipeError(gone, 'STACK_NOT_FOUND')).toBe(true);
      expect(isNotFound(await gw.send(new GetRestApiCommand({ restApiId })).catch((e: unknown) => e))).toBe(
        true,
      );
      const keys = await gw.send(new GetApiKeysCommand({ nameQuery: `pinpipe-${profile.pipelineId}-proxy` }));
      expect(keys.items ?? []).toEqual([]);
      const plans = await gw.send(new GetUsagePlansCommand({}));
      expect((plans.items ?? []).filter((p) => p.name === `pinpipe-${profile.pipelineId}`)).toEqual([]);
      expect(
        isNotFound(await iam.send(new GetRoleCommand({ RoleName: roleName })).catch((e: unknown) => e)),
      ).toBe(true);
      const described = await secrets
        .send(new DescribeSecretCommand({ SecretId: out.ProxyApiKeySecretArn }))
        .catch((e: unknown) => e);
      // deleted at once, or scheduled for deletion as AWS does
      expect(isNotFound(described) || (described as { DeletedDate?: Date }).DeletedDate !== undefined).toBe(
        true,
      );
      await s3.send(new HeadBucketCommand({ Bucket: profile.s3.bucket })); // retained (afterAll empties and deletes it)
      const again2 = await destroyStack(profile, { stackName });
      expect(again2.operation).toBe('none');

      process.stderr.write(
        `[infra-deploy] on MiniStack: synth ${seconds(synthMs)} (again ${seconds(resynthMs)}), ` +
          `deploy ${seconds(created.seconds * 1000)}, update ${seconds(updated.seconds * 1000)}, ` +
          `destroy ${seconds(destroyMs)}\n`,
      );
    } finally {
      gw.destroy();
      iam.destroy();
      secrets.destroy();
      s3.destroy();
    }
  });

  it('a deployment that fails names the resource and CloudFormation’s reason, and creates nothing', async () => {
    // the sandbox's own bucket exists already: the stack may not claim it
    const env2 = await isolatedPipelineEnv('cfnbad');
    const clash = profileFor({
      ...env2,
      PINPIPE_INFRA__STACK_NAME: `Pinpipe-${env2.PINPIPE_PIPELINE_ID}`,
      PINPIPE_S3__BUCKET: profileFor({}).s3.bucket,
    });
    try {
      const err = await deployStack(clash, {
        stackName: stackNameFor(clash),
        template: synthTemplate(clash, 'sandbox'),
        timeoutMs: 60_000,
      }).catch((e: unknown) => e);
      expect(isPinpipeError(err, 'STACK_FAILED')).toBe(true);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^The create of stack ${stackNameFor(clash)} ended ROLLBACK_COMPLETE: PipelineBucket\\w+ \\(AWS::S3::Bucket\\) .*${clash.s3.bucket}.*already exists`,
        ),
      );
      const gw = createApiGateway(clash);
      try {
        const apis = (await gw.send(new GetRestApisCommand({ limit: 500 }))).items ?? [];
        expect(apis.filter((a) => a.name === clash.apiGateway.restApiName)).toEqual([]);
      } finally {
        gw.destroy();
      }
    } finally {
      await destroyStack(clash, { stackName: stackNameFor(clash), timeoutMs: 30_000 }).catch(() => undefined);
      fs.rmSync(path.dirname(profileFor(env2).batch.workDir), { recursive: true, force: true });
    }
  });

  it('a stack that needs the CDK bootstrap in an account without it stops before anything is created', async () => {
    // the aws variant's synthesizer: the template asks for /cdk-bootstrap/<qualifier>/version
    const app = new App();
    const name = `Pinpipe-boot${Date.now().toString(36)}`;
    const stack = new Stack(app, name, { synthesizer: new DefaultStackSynthesizer() });
    new CfnWaitConditionHandle(stack, 'Nothing');
    const template = app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
    const base = profileFor({});
    const err = await deployStack(base, { stackName: name, template }).catch((e: unknown) => e);
    expect(isPinpipeError(err, 'STACK_NOT_BOOTSTRAPPED')).toBe(true);
    expect((err as PinpipeError).fix).toBe(
      `run \`npx cdk bootstrap aws://<account-id>/${base.region}\` from infra/ once per account and region, then deploy again`,
    );
    const none = await readStackOutputs(base, name).catch((e: unknown) => e);
    expect(isPinpipeError(none, 'STACK_NOT_FOUND')).toBe(true);
  });
});
