import fs from 'node:fs';
import type { Profile } from '../../src/config/index.ts';
import { describeError } from '../../src/errors.ts';
import {
  assertPortFree,
  removePidRecord,
  runningPid,
  runningProcess,
  spawnService,
  stopProcess,
  waitUntil,
  withTimeout,
} from './proc.ts';

export interface ServiceHealth {
  ok: boolean;
  endpoint: string;
  pid?: number;
  detail?: string;
}

/** One native service of the sandbox, as sandbox.ts drives it: obtained, started, checked and stopped. */
export interface SandboxService {
  readonly name: 'mysql' | 'kafka' | 's3';
  readonly endpoint: string;
  readonly logFile: string;
  /** Installs or resolves what the service needs (apt, Maven, pip); fast when already there. */
  prepare(): Promise<void>;
  /** Pid of our running process, from the pid file. */
  runningPid(): number | undefined;
  /** Starts the process and waits until health() passes. */
  start(): Promise<void>;
  /** A real check (a query, a metadata request, a bucket listing) with a timeout. */
  health(timeoutMs?: number): Promise<ServiceHealth>;
  /** Creates what the profile names (database + user, topics, bucket); idempotent. */
  ensureResources(): Promise<void>;
  stop(): Promise<boolean>;
  /** Deletes the service's folder (service must be stopped). */
  wipe(): void;
}

/** A port the service binds, checked free before start, and what to change when it is taken. */
export interface PortClaim {
  port: number;
  what: string;
  fix: string;
}

/** The process a service runs: spawned detached, output appended to its log. */
export interface Launch {
  cmd: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** One health check: `run` sends a real request under a timeout; `release` closes its client. */
export interface Probe {
  what: string;
  run(signal: AbortSignal): Promise<void>;
  release?(): Promise<void> | void;
}

/**
 * What a per-service module says about its service. Everything else (pid file, port checks, spawn,
 * wait for health, stop, wipe) is the same for all and lives in defineService.
 */
export interface ServiceSpec {
  name: SandboxService['name'];
  /** How messages name the service: "MySQL", "Kafka", "MiniStack". */
  title: string;
  /** The service's own folder under sandbox.dir (pid file, log, data); wipe deletes it. */
  dir: string;
  pidFile: string;
  logFile: string;
  /** What the service's command line contains: how a pid file from before start times were kept is checked. */
  needle: string;
  /** The port clients use, on 127.0.0.1. */
  port: number;
  /** Every port the service binds, checked free before it starts. */
  ports: PortClaim[];
  healthTimeoutMs: number;
  stopTimeoutMs: number;
  /** Resolves or installs the binaries. */
  prepare(): Promise<void>;
  /** Writes configuration and initialises the data folder (the folder `dir` exists); returns the process. */
  launch(): Launch;
  /** When start-up is complete; default: health() passes within readyTimeoutMs. */
  ready?(): Promise<boolean | { ok: boolean; detail?: string }>;
  readyTimeoutMs?: number;
  /** A fresh probe for each health check. */
  probe(timeoutMs: number): Probe;
  ensureResources(): Promise<void>;
}

/**
 * The one lifecycle of every sandbox service (in the way testcontainers-node has one generic
 * container and small per-service modules): a verified pid file, ports checked free, a detached
 * process with its log, start-up polled until healthy, SIGTERM then SIGKILL to its process group.
 */
export function defineService(
  spec: ServiceSpec,
  profile: Profile,
  say: (msg: string) => void,
): SandboxService {
  const pidOpts = { onStale: say };
  const endpoint = `127.0.0.1:${spec.port}`;
  const { logFile, pidFile } = spec;
  let prepared = false;

  const service: SandboxService = {
    name: spec.name,
    endpoint,
    logFile,
    async prepare() {
      await spec.prepare();
      prepared = true;
    },
    runningPid: () => runningPid(pidFile, spec.needle, pidOpts),
    async start() {
      if (!prepared) await service.prepare();
      for (const p of spec.ports) await assertPortFree(p.port, p.what, p.fix);
      fs.mkdirSync(spec.dir, { recursive: true });
      const { cmd, args, cwd, env } = spec.launch();
      const pid = spawnService(cmd, args, { logFile, pidFile, cwd, env });
      const ready = spec.ready ?? (() => service.health(spec.readyTimeoutMs));
      await waitUntil(spec.title, ready, {
        timeoutMs: profile.sandbox.startTimeoutSec * 1000,
        pid,
        logFile,
      });
    },
    ensureResources: () => spec.ensureResources(),
    async health(timeoutMs = spec.healthTimeoutMs): Promise<ServiceHealth> {
      const pid = service.runningPid();
      const probe = spec.probe(timeoutMs);
      try {
        await withTimeout(timeoutMs, probe.what, (signal) => probe.run(signal));
        return { ok: true, endpoint, pid };
      } catch (err) {
        return { ok: false, endpoint, pid, detail: describeError(err) };
      } finally {
        try {
          await probe.release?.();
        } catch {
          /* a client that fails to close changes nothing about the verdict */
        }
      }
    },
    async stop() {
      const proc = runningProcess(pidFile, spec.needle, pidOpts);
      if (proc === undefined) return false;
      await stopProcess(proc, spec.stopTimeoutMs, { name: spec.title });
      removePidRecord(pidFile);
      return true;
    },
    wipe() {
      fs.rmSync(spec.dir, { recursive: true, force: true });
    },
  };
  return service;
}

export function portOf(hostPort: string): number {
  const m = /:(\d+)\/?$/.exec(hostPort);
  if (!m) throw new Error(`no port in ${hostPort}`);
  return Number(m[1]);
}
