import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareCli } from '../../helpers/bare-cli.ts';
import { freePort } from '../../../testkit/ports.ts';

// The real CLI against an empty AWS credential chain and a closed loopback port: nothing leaves the
// machine (instance metadata off, no AWS hostname contacted before credentials are found).
const cli = bareCli('pinpipe-from-stack-');
const dir = cli.dir;
let closedPort = 0;

beforeAll(async () => {
  closedPort = await freePort();
});
afterAll(() => cli.cleanup());

const pinpipe = (args: string[], extra: Record<string, string> = {}) => cli.run(args, cli.env(extra));

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
