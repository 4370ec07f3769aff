import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { childEnvWithoutOverrides, shippedProfile } from '../../helpers/profile.ts';
import { formatPlan, integrationUri, planProvision } from '../../../src/provision/plan.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

describe('planProvision', () => {
  it('plans the original REST API for the local profile', () => {
    const profile = shippedProfile('local');
    const plan = planProvision(profile);
    expect(plan.bucket.name).toBe(profile.s3.bucket);
    expect(plan.topics.map((t) => t.name)).toEqual([
      '0e7ae8feb921.pin',
      '0e7ae8feb921.geo',
      '0e7ae8feb921.user',
    ]);
    expect(plan.topics.every((t) => t.partitions === profile.kafka.partitions)).toBe(true);
    expect(plan.restApi).toMatchObject({
      name: profile.apiGateway.restApiName,
      resource: { pathPart: '{proxy+}' },
      method: { httpMethod: 'ANY', requestParameters: { 'method.request.path.proxy': true } },
      integration: {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'ANY',
        uri: 'http://127.0.0.1:8082/{proxy}',
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
      stage: 'test',
    });
    expect(plan.sink.prefix).toBe('topics');
    expect(plan.target).toBe('http://127.0.0.1:4566');
  });

  it('strips trailing slashes from the proxy URL', () => {
    const profile = shippedProfile('local');
    expect(integrationUri({ ...profile, proxy: { ...profile.proxy, url: 'http://h:1/' } })).toBe(
      'http://h:1/{proxy}',
    );
  });

  it('plans AWS with the profile replication factor and its EC2 proxy', () => {
    const profile = shippedProfile('aws');
    const plan = planProvision(profile);
    expect(plan.target).toBe('AWS');
    expect(plan.topics[0]!.replicationFactor).toBe(2);
    const text = formatPlan(plan).join('\n');
    for (const s of [
      'user-0e7ae8feb921-bucket',
      '{proxy+}',
      'ANY',
      'HTTP_PROXY',
      '/{proxy}',
      'stage           test',
      'topics/<topic>',
    ]) {
      expect(text).toContain(s);
    }
  });
});

describe('pinpipe provision --dry-run', { timeout: 60_000 }, () => {
  const preload = path.join(import.meta.dirname, 'no-network.mjs');
  const cli = (...args: string[]) =>
    run(process.execPath, ['--import', preload, path.join(ROOT, 'bin', 'pinpipe.mjs'), ...args], {
      cwd: ROOT,
      env: childEnvWithoutOverrides({ AWS_EC2_METADATA_DISABLED: 'true' }),
    });

  it('prints the full AWS plan with every socket and DNS lookup forbidden', async () => {
    const { stdout } = await cli('provision', '--profile', 'aws', '--dry-run');
    expect(stdout).toContain('REST API          pinpipe-0e7ae8feb921');
    expect(stdout).toContain('HTTP_PROXY ANY http://ec2-0-0-0-0.compute-1.amazonaws.com:8082/{proxy}');
    expect(stdout).toContain('0e7ae8feb921.user (3 partitions, replication factor 2)');
    expect(stdout).toContain('dry run: nothing was created');
  });

  it('prints the plan as JSON with --json', async () => {
    const { stdout } = await cli('provision', '--profile', 'aws', '--dry-run', '--json');
    const out = JSON.parse(stdout) as {
      dryRun: boolean;
      plan: { restApi: { integration: { type: string } } };
    };
    expect(out.dryRun).toBe(true);
    expect(out.plan.restApi.integration.type).toBe('HTTP_PROXY');
  });

  it('the guard itself works: a command that connects is stopped', async () => {
    const p = run(process.execPath, [
      '--import',
      preload,
      '-e',
      "require('node:net').connect(9, '127.0.0.1')",
    ]);
    await expect(p).rejects.toMatchObject({ code: 99 });
  });
});
