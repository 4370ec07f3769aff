import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../src/config/schema.ts';
import { PinpipeError } from '../src/errors.ts';
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

/** A lock file so two `up`s (or an up and a down) never race on the same sandbox. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'sandbox.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch {
      const holder = Number(fs.readFileSync(lock, 'utf8').trim());
      let alive: boolean;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (!alive) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new PinpipeError('SANDBOX_BUSY', `Another sandbox command (pid ${holder}) holds ${lock}.`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export async function sandboxUp(opts: SandboxOptions): Promise<UpResult> {
  const t0 = Date.now();
  const say = opts.say ?? (() => {});
  const services = sandboxServices(opts);
  return withLock(opts.profile.sandbox.dir, async () => {
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
      for (const svc of started.reverse()) {
        await svc.stop().catch(() => {});
      }
      if (started.length > 0) say(`stopped what this call started: ${started.map((s) => s.name).join(', ')}`);
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

export async function sandboxReset(opts: SandboxOptions): Promise<void> {
  const services = sandboxServices(opts).reverse();
  await withLock(opts.profile.sandbox.dir, async () => {
    for (const svc of services) {
      await svc.stop();
      svc.wipe();
    }
    // Everything else kept in the sandbox folder (batch cache and manifest, emulator ledger) goes too,
    // so the next run does not skip objects that no longer exist.
    for (const entry of fs.existsSync(opts.profile.sandbox.dir)
      ? fs.readdirSync(opts.profile.sandbox.dir)
      : []) {
      if (entry !== 'sandbox.lock')
        fs.rmSync(path.join(opts.profile.sandbox.dir, entry), { recursive: true, force: true });
    }
  });
}

export type { ServiceHealth, SandboxService };
