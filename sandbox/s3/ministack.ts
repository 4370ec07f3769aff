import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3 } from '../../src/clients/s3.ts';
import { ensureBucket } from '../../src/clients/s3-bucket.ts';
import type { Profile } from '../../src/config/index.ts';
import { PinpipeError } from '../../src/errors.ts';
import { requireTool } from '../lib/tools.ts';
import { defineService, portOf, type SandboxService } from '../lib/service.ts';
import { serviceEnv } from '../lib/proc.ts';

/** Pinned MiniStack release from PyPI (see docs/decisions.md: why MiniStack, not LocalStack or moto). */
export const MINISTACK_VERSION = '1.5.33';

/**
 * The AWS services MiniStack serves: S3, API Gateway, STS and IAM for the pipeline and doctor;
 * CloudFormation with what the sandbox variant of the CDK stack declares (secret, security groups,
 * log group), so that stack deploys here as it does on AWS (docs/infra-sandbox.md).
 */
export const MINISTACK_SERVICES = 's3,apigateway,sts,iam,cloudformation,secretsmanager,ec2,logs';

export function ministackVenv(cacheDir: string): string {
  return path.join(cacheDir, `ministack-${MINISTACK_VERSION}`, 'venv');
}

/** Creates the venv and installs MiniStack into it (once). Returns the ministack executable. */
export function installMinistack(cacheDir: string, say: (m: string) => void): string {
  const venv = ministackVenv(cacheDir);
  const bin = path.join(venv, 'bin', 'ministack');
  const marker = path.join(venv, '.complete');
  if (fs.existsSync(marker) && fs.existsSync(bin)) return bin;
  const python = requireTool(
    'python3',
    'MiniStack (S3 + API Gateway)',
    { deb: 'python3', brew: 'python@3.11' },
    say,
  );
  say(`installing MiniStack ${MINISTACK_VERSION} from PyPI into ${venv}`);
  fs.rmSync(venv, { recursive: true, force: true });
  let r = spawnSync(python, ['-m', 'venv', venv], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new PinpipeError(
      'SANDBOX_PREREQ_MISSING',
      `python3 cannot create a virtualenv (${r.stderr.trim().split('\n').pop()}). ` +
        'On Debian/Ubuntu: sudo apt-get install -y python3-venv',
    );
  }
  r = spawnSync(
    path.join(venv, 'bin', 'pip'),
    ['install', '-q', '--disable-pip-version-check', `ministack==${MINISTACK_VERSION}`],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0 || !fs.existsSync(bin)) {
    throw new PinpipeError(
      'SANDBOX_PREREQ_MISSING',
      `pip could not install ministack==${MINISTACK_VERSION}: ${r.stderr.trim().split('\n').slice(-5).join('\n')}\n` +
        'Check access to PyPI (or your pip index) and retry.',
    );
  }
  fs.writeFileSync(marker, `${MINISTACK_VERSION}\n`);
  return bin;
}

/** S3 + API Gateway (and STS) on 127.0.0.1:<aws.endpoint port>, S3 data persisted under .sandbox/s3. */
export function s3Service(profile: Profile, say: (msg: string) => void, cacheDir: string): SandboxService {
  const dir = path.join(profile.sandbox.dir, 's3');
  const dataDir = path.join(dir, 'data');
  const endpointUrl = profile.aws.endpoint ?? 'http://127.0.0.1:4566';
  const port = portOf(endpointUrl);
  let bin: string | undefined;

  // The profile's own client factory (emulator endpoint, static dummy keys), no retries for health checks.
  const client = () => createS3(profile, { endpoint: endpointUrl, forcePathStyle: true, maxAttempts: 1 });

  return defineService(
    {
      name: 's3',
      title: 'MiniStack',
      dir,
      pidFile: path.join(dir, 'ministack.pid'),
      logFile: path.join(dir, 'ministack.log'),
      needle: 'ministack',
      port,
      ports: [
        {
          port,
          what: 'MiniStack (S3 + API Gateway)',
          fix: 'set aws.endpoint in the profile to another port',
        },
      ],
      healthTimeoutMs: 3000,
      readyTimeoutMs: 2000,
      stopTimeoutMs: 15000,
      async prepare() {
        bin = installMinistack(cacheDir, say);
      },
      launch() {
        fs.mkdirSync(dataDir, { recursive: true });
        return {
          cmd: bin!,
          args: [],
          cwd: dir,
          env: serviceEnv({
            BIND_HOST: '127.0.0.1',
            GATEWAY_PORT: String(port),
            EDGE_PORT: String(port),
            S3_PERSIST: '1',
            S3_DATA_DIR: dataDir,
            LOG_LEVEL: 'WARNING',
            MINISTACK_HOST: '127.0.0.1',
            SERVICES: MINISTACK_SERVICES,
          }),
        };
      },
      async ensureResources() {
        const s3 = client();
        try {
          if ((await ensureBucket(s3, profile.s3.bucket)) === 'created')
            say(`created bucket ${profile.s3.bucket}`);
        } finally {
          s3.destroy();
        }
      },
      probe() {
        const s3 = client();
        return {
          what: 'S3 bucket listing',
          run: async (signal) => {
            await s3.send(new ListBucketsCommand({}), { abortSignal: signal });
          },
          release: () => s3.destroy(),
        };
      },
    },
    profile,
    say,
  );
}
