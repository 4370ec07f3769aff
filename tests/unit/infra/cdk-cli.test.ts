import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childEnvWithoutOverrides } from '../../helpers/profile.ts';
import { ROOT } from '../../helpers/run.ts';

/** `npx cdk <args>` from infra/, as a user types it, with no AWS credentials and no PINPIPE_* override. */
function cdk(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['cdk', ...args], {
      cwd: path.join(ROOT, 'infra'),
      env: childEnvWithoutOverrides({
        AWS_EC2_METADATA_DISABLED: 'true',
        CDK_DISABLE_VERSION_CHECK: 'true',
        CDK_DISABLE_CLI_TELEMETRY: 'true',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('infra: the CDK CLI synthesizes offline', () => {
  it('npx cdk synth from infra/ builds the stack of profiles/aws.yaml, cdk-nag clean, with no AWS account', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-cdk-out-'));
    const r = await cdk(['synth', '--quiet', '--no-notices', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/AwsSolutions-/);
    const template = JSON.parse(
      fs.readFileSync(path.join(out, 'Pinpipe-0e7ae8feb921.template.json'), 'utf8'),
    ) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = new Set(Object.values(template.Resources).map((r) => r.Type));
    for (const t of [
      'AWS::S3::Bucket',
      'AWS::MSK::Cluster',
      'AWS::EC2::Instance',
      'AWS::ApiGateway::RestApi',
      'AWS::MWAA::Environment',
    ]) {
      expect(types.has(t), t).toBe(true);
    }
  }, 120_000);
});
