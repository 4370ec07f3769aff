import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { createS3 } from '../../src/clients/s3.ts';
import type { Profile } from '../../src/config/schema.ts';
import { PinpipeError, describeError } from '../../src/errors.ts';
import {
  assertPortFree,
  removePidRecord,
  runningPid,
  runningProcess,
  spawnService,
  stopProcess,
  waitUntil,
  withTimeout,
} from '../lib/proc.ts';
import { requireTool } from '../lib/tools.ts';
import { portOf, type SandboxService, type ServiceHealth } from '../lib/service.ts';

/** Pinned MiniStack release from PyPI (see docs/decisions.md: why MiniStack, not LocalStack or moto). */
export const MINISTACK_VERSION = '1.5.33';

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
  const pidFile = path.join(dir, 'ministack.pid');
  // What the service's command line contains: how a pid file from before start times were kept is checked.
  const needle = 'ministack';
  const pidOpts = { onStale: say };
  const logFile = path.join(dir, 'ministack.log');
  const endpointUrl = profile.aws.endpoint ?? 'http://127.0.0.1:4566';
  const port = portOf(endpointUrl);
  const endpoint = `127.0.0.1:${port}`;
  let bin: string | undefined;

  // The profile's own client factory (emulator endpoint, static dummy keys), no retries for health checks.
  const client = () => createS3(profile, { endpoint: endpointUrl, forcePathStyle: true, maxAttempts: 1 });

  return {
    name: 's3',
    endpoint,
    logFile,
    async prepare() {
      bin = installMinistack(cacheDir, say);
    },
    runningPid: () => runningPid(pidFile, needle, pidOpts),
    async start() {
      if (!bin) await this.prepare();
      await assertPortFree(
        port,
        'MiniStack (S3 + API Gateway)',
        'set aws.endpoint in the profile to another port',
      );
      fs.mkdirSync(dataDir, { recursive: true });
      const pid = spawnService(bin!, [], {
        logFile,
        pidFile,
        cwd: dir,
        env: {
          ...process.env,
          BIND_HOST: '127.0.0.1',
          GATEWAY_PORT: String(port),
          EDGE_PORT: String(port),
          S3_PERSIST: '1',
          S3_DATA_DIR: dataDir,
          LOG_LEVEL: 'WARNING',
          MINISTACK_HOST: '127.0.0.1',
          SERVICES: 's3,apigateway,sts,iam',
        },
      });
      await waitUntil('MiniStack', () => this.health(2000), {
        timeoutMs: profile.sandbox.startTimeoutSec * 1000,
        pid,
        logFile,
      });
    },
    async ensureResources() {
      const s3 = client();
      try {
        await s3.send(new HeadBucketCommand({ Bucket: profile.s3.bucket }));
      } catch {
        await s3.send(new CreateBucketCommand({ Bucket: profile.s3.bucket }));
        say(`created bucket ${profile.s3.bucket}`);
      } finally {
        s3.destroy();
      }
    },
    async health(timeoutMs = 3000): Promise<ServiceHealth> {
      const pid = runningPid(pidFile, needle, pidOpts);
      const s3 = client();
      try {
        await withTimeout(timeoutMs, 'S3 bucket listing', (signal) =>
          s3.send(new ListBucketsCommand({}), { abortSignal: signal }),
        );
        return { ok: true, endpoint, pid };
      } catch (err) {
        return { ok: false, endpoint, pid, detail: describeError(err) };
      } finally {
        s3.destroy();
      }
    },
    async stop() {
      const proc = runningProcess(pidFile, needle, pidOpts);
      if (proc === undefined) return false;
      await stopProcess(proc, 15000, { name: 'MiniStack' });
      removePidRecord(pidFile);
      return true;
    },
    wipe() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
