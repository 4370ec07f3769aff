import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Profile, PROJECT_ROOT } from '../src/config/index.ts';
import { PinpipeError } from '../src/errors.ts';
import { acquireFileLock } from './lib/lockfile.ts';
import { mysqlService } from './mysql/mysql.ts';
import { kafkaService } from './kafka/kafka.ts';
import { s3Service } from './s3/ministack.ts';
import type { SandboxService, ServiceHealth } from './lib/service.ts';

/**
 * The native sandbox: MySQL, Kafka, S3 + API Gateway as processes under <sandbox.dir>/<service>.
 * up is idempotent (healthy services are left alone) and all-or-nothing (what this call started is
 * stopped again when another service fails).
 */
export interface SandboxOptions {
  profile: Profile;
  cacheDir: string;
  say?: (msg: string) => void;
}

export type SandboxStatus = Record<'mysql' | 'kafka' | 's3', ServiceHealth>;

export function sandboxServices(opts: SandboxOptions): SandboxService[] {
  const say = opts.say ?? (() => {});
  if (!opts.profile.sandbox.enabled) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile "${opts.profile.name}" is not a sandbox profile (sandbox.enabled is false): ` +
        'the sandbox commands only run local services. Use --profile local.',
    );
  }
  const { profile } = opts;
  if (profile.kafka.security.mode === 'sasl-oauthbearer' && profile.sandbox.kafkaPort !== undefined) {
    // A secured rehearsal profile: the same sandbox, started and checked on the broker's plain listener.
    const plain: typeof profile = {
      ...profile,
      kafka: {
        ...profile.kafka,
        brokers: [`127.0.0.1:${profile.sandbox.kafkaPort}`],
        security: { ...profile.kafka.security, mode: 'none' },
      },
    };
    return sandboxServices({ ...opts, profile: plain });
  }
  if (opts.profile.kafka.security.mode !== 'none') {
    // The sandbox broker's plain listener comes from kafka.brokers[0]; a secured profile points at the
    // SASL listener instead, which the plain profile's broker already serves.
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile "${opts.profile.name}" uses kafka.security.mode "${opts.profile.kafka.security.mode}": start the sandbox ` +
        'with the plain profile (`npm run sandbox:up`, profile local); its broker also serves the SASL/OAUTHBEARER ' +
        `listener on 127.0.0.1:${opts.profile.sandbox.kafkaSaslPort} that this profile uses.`,
    );
  }
  return [
    mysqlService(opts.profile, say),
    kafkaService(opts.profile, say, opts.cacheDir),
    s3Service(opts.profile, say, opts.cacheDir),
  ];
}

export interface UpResult {
  started: string[];
  alreadyRunning: string[];
  seconds: number;
}

/** The file `up` writes into the sandbox folder; reset deletes only a folder that carries it. */
export const SANDBOX_MARKER = '.pinpipe-sandbox';

/** What an unmarked folder may hold to be taken for a sandbox folder made before the marker existed. */
const SANDBOX_ENTRIES = new Set([
  'mysql',
  'kafka',
  's3',
  'batch',
  'ledger',
  'sandbox.lock',
  'demo.lock',
  'run.lock',
]);

/**
 * Why `dir` must not be a sandbox folder, or undefined when it may be: the file-system root, the
 * project folder, the home folder or the current folder, or a folder that contains one of them.
 */
export function sandboxDirProblem(
  dir: string,
  places: { root: string; home: string; cwd: string },
): string | undefined {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const d = real(dir);
  const inside = (p: string) => {
    const rel = path.relative(d, real(p));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  const named: Array<[string, string]> = [
    [places.root, 'the project folder'],
    [places.home, 'your home folder'],
    [places.cwd, 'the current folder'],
  ];
  if (d === path.parse(d).root) return 'the root of the file system';
  for (const [p, what] of named) {
    if (inside(p)) return d === real(p) ? what : `a folder that contains ${what}`;
  }
  return undefined;
}

function assertSafeDir(dir: string): void {
  const problem = sandboxDirProblem(dir, { root: PROJECT_ROOT, home: os.homedir(), cwd: process.cwd() });
  if (problem) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `sandbox.dir is ${dir}, which is ${problem}: the sandbox commands write there and sandbox:reset ` +
        'deletes it. Set sandbox.dir (PINPIPE_SANDBOX__DIR) to a folder of its own, e.g. .sandbox.',
    );
  }
}

/** `up` marks the folder as the sandbox's; an unmarked folder holding anything else is refused. */
function markSandboxDir(dir: string): void {
  const marker = path.join(dir, SANDBOX_MARKER);
  if (fs.existsSync(marker)) return;
  const foreign = fs.readdirSync(dir).filter((e) => !SANDBOX_ENTRIES.has(e) && !e.startsWith('sandbox.lock'));
  if (foreign.length > 0) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `sandbox.dir ${dir} already holds files that are not a sandbox's (${foreign.slice(0, 3).join(', ')}` +
        `${foreign.length > 3 ? ', …' : ''}) and no ${SANDBOX_MARKER} marker. Point sandbox.dir ` +
        '(PINPIPE_SANDBOX__DIR) at an empty or new folder.',
    );
  }
  fs.writeFileSync(
    marker,
    'This folder is a pinpipe sandbox (written by sandbox:up). sandbox:reset deletes its contents.\n',
  );
}

/** A lock file so two `up`s (or an up and a down) never race on the same sandbox. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  assertSafeDir(dir);
  fs.mkdirSync(dir, { recursive: true });
  const release = await acquireFileLock(path.join(dir, 'sandbox.lock'));
  try {
    return await fn();
  } finally {
    release();
  }
}

export async function sandboxUp(opts: SandboxOptions): Promise<UpResult> {
  const t0 = Date.now();
  const say = opts.say ?? (() => {});
  const services = sandboxServices(opts);
  return withLock(opts.profile.sandbox.dir, async () => {
    markSandboxDir(opts.profile.sandbox.dir);
    const started: SandboxService[] = [];
    const already: string[] = [];
    try {
      for (const svc of services) {
        const pid = svc.runningPid();
        if (pid !== undefined) {
          const h = await svc.health(5000);
          if (h.ok) {
            already.push(svc.name);
            continue;
          }
          say(`${svc.name} (pid ${pid}) is not healthy (${h.detail ?? 'no answer'}): restarting it`);
          await svc.stop();
        }
        await svc.prepare();
        const t = Date.now();
        say(`starting ${svc.name} on ${svc.endpoint}`);
        started.push(svc);
        await svc.start();
        say(`${svc.name} healthy in ${((Date.now() - t) / 1000).toFixed(1)} s (log: ${svc.logFile})`);
      }
      for (const svc of services) await svc.ensureResources();
    } catch (err) {
      // a service whose start failed before its process was spawned (a port in use) has nothing to stop
      const stopped: string[] = [];
      for (const svc of started.reverse()) {
        if (await svc.stop().catch(() => false)) stopped.push(svc.name);
      }
      if (stopped.length > 0) say(`stopped what this call started: ${stopped.join(', ')}`);
      throw err;
    }
    return {
      started: started.map((s) => s.name),
      alreadyRunning: already,
      seconds: (Date.now() - t0) / 1000,
    };
  });
}

export async function sandboxDown(opts: SandboxOptions): Promise<string[]> {
  const services = sandboxServices(opts).reverse();
  return withLock(opts.profile.sandbox.dir, async () => {
    const stopped: string[] = [];
    for (const svc of services) if (await svc.stop()) stopped.push(svc.name);
    return stopped;
  });
}

export async function sandboxStatus(opts: SandboxOptions): Promise<SandboxStatus> {
  const [mysql, kafka, s3] = await Promise.all(sandboxServices(opts).map((s) => s.health(5000)));
  return { mysql: mysql!, kafka: kafka!, s3: s3! };
}

/**
 * Stops the services and deletes the sandbox folder's contents, but only of a folder `up` marked:
 * any other folder is refused (CONFIG_INVALID, exit 2) before anything is stopped or deleted.
 * Returns false when there was nothing to wipe (no folder, or an empty one).
 */
export async function sandboxReset(opts: SandboxOptions): Promise<boolean> {
  const dir = opts.profile.sandbox.dir;
  const services = sandboxServices(opts).reverse();
  assertSafeDir(dir);
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (entries.filter((e) => !e.startsWith('sandbox.lock')).length === 0) return false;
  if (!entries.includes(SANDBOX_MARKER)) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `${dir} has no ${SANDBOX_MARKER} marker, so sandbox:up did not make it: refusing to delete it. ` +
        'Check sandbox.dir (PINPIPE_SANDBOX__DIR); a sandbox folder from an older pinpipe is marked by ' +
        'running `npm run sandbox:up` once.',
    );
  }
  await withLock(dir, async () => {
    for (const svc of services) {
      await svc.stop();
      svc.wipe();
    }
    // Everything else kept in the sandbox folder (batch cache and manifest, emulator ledger) goes too,
    // so the next run does not skip objects that no longer exist. The marker and the lock stay.
    for (const entry of fs.readdirSync(dir)) {
      if (entry !== SANDBOX_MARKER && !entry.startsWith('sandbox.lock'))
        fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  });
  return true;
}

export type { ServiceHealth, SandboxService };
