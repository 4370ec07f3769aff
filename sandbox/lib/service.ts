import type { Profile } from '../../src/config/schema.ts';

export interface ServiceHealth {
  ok: boolean;
  endpoint: string;
  pid?: number;
  detail?: string;
}

/** One native service of the sandbox: obtained, started, checked and stopped by its own module. */
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
  /** Deletes the data folder (service must be stopped). */
  wipe(): void;
}

export type ServiceFactory = (
  profile: Profile,
  say: (msg: string) => void,
  cacheDir: string,
) => SandboxService;

export function portOf(hostPort: string): number {
  const m = /:(\d+)\/?$/.exec(hostPort);
  if (!m) throw new Error(`no port in ${hostPort}`);
  return Number(m[1]);
}
