import { PinpipeError } from '../errors.ts';

export interface WatchedService {
  name: string;
  /** The pid recorded for the service, or undefined when it is not running. */
  runningPid(): number | undefined;
}

const LABELS: Record<string, string> = { mysql: 'MySQL', kafka: 'Kafka', s3: 'MiniStack (S3 + API Gateway)' };

/**
 * Watches the sandbox services during a long command: when one dies, aborts with a message that names
 * it and says how to bring it back, so the user is not left with a vague timeout further down.
 */
export function watchServices(
  services: WatchedService[],
  onDeath: (err: PinpipeError) => void,
  intervalMs = 1000,
): { stop(): void } {
  const timer = setInterval(() => {
    for (const s of services) {
      if (s.runningPid() === undefined) {
        clearInterval(timer);
        onDeath(
          new PinpipeError(
            'SANDBOX_UNHEALTHY',
            `${LABELS[s.name] ?? s.name} stopped during the run (its process is gone). ` +
              `Restart the sandbox with \`npm run sandbox:up\` (see .sandbox/${s.name}/ for its log), then run again.`,
          ),
        );
        return;
      }
    }
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
