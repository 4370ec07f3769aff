import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/config/env.ts';

// The real CLI against an empty AWS credential chain and a closed loopback port: nothing leaves the
// machine (instance metadata off, no AWS hostname contacted before credentials are found).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-from-stack-'));
const bin = path.join(PROJECT_ROOT, 'bin', 'pinpipe.mjs');
let closedPort = 0;

beforeAll(async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  closedPort = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pinpipe(args: string[], extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('AWS_') && !k.startsWith('PINPIPE_')) env[k] = v;
  }
  Object.assign(env, {
    HOME: dir,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
    ...extra,
  });
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pinpipe profile from-stack without a stack to read', { timeout: 60_000 }, () => {
  it('--help names the outputs it reads and the exit codes', () => {
    const r = pinpipe(['profile', 'from-stack', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('BucketName → s3.bucket');
    expect(r.stdout).toContain('RestApiId → apiGateway.invokeUrl');
    expect(r.stdout).toContain('4 --check found a difference');
  });

  it('--check with --out is a usage error (2)', () => {
    const r = pinpipe(['profile', 'from-stack', '--check', '--out', path.join(dir, 'x.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[USAGE]');
    expect(fs.existsSync(path.join(dir, 'x.yaml'))).toBe(false);
  });

  it('on AWS without credentials: what to configure (3), nothing written', () => {
    const out = path.join(dir, 'aws-out.yaml');
    const r = pinpipe(['--profile', 'aws', 'profile', 'from-stack', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /No AWS credentials found to describe stack Pinpipe-0e7ae8feb921.*aws sso login.*\[AWS_CREDENTIALS_MISSING\]/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a sandbox that is down: CloudFormation unreachable, start the sandbox (3)', () => {
    const r = pinpipe(['profile', 'from-stack', '--check'], {
      PINPIPE_AWS__ENDPOINT: `http://127.0.0.1:${closedPort}`,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `is the sandbox up at http://127.0.0.1:${closedPort}? Run npm run sandbox:up [STACK_UNAVAILABLE]`,
    );
  });
});
