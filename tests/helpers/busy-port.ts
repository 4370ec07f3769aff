import { isPinpipeError } from '../../src/errors.ts';

/**
 * Runs `up`; when it fails because a port it needs is held by another process (SANDBOX_PORT_IN_USE,
 * whose details name the port), waits until that port is free and runs `up` again, all within
 * `waitMs`. On a shared CI machine another job's services can still be stopping when this suite
 * starts; any other error, or a port still held at the deadline, is thrown as it is.
 */
export async function upWhenPortsFree<T>(
  up: () => Promise<T>,
  deps: {
    waitMs: number;
    portOpen: (port: number) => Promise<boolean>;
    say: (msg: string) => void;
    sleep?: (ms: number) => Promise<void>;
    now?: () => number;
  },
): Promise<T> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + deps.waitMs;
  for (;;) {
    try {
      return await up();
    } catch (err) {
      const port = isPinpipeError(err, 'SANDBOX_PORT_IN_USE') ? Number(err.details?.port) : NaN;
      if (!Number.isInteger(port) || now() >= deadline) throw err;
      deps.say(
        `port ${port} is held by another process; waiting up to ${Math.ceil((deadline - now()) / 1000)} s ` +
          'for it to be freed, then starting again',
      );
      while (now() < deadline && (await deps.portOpen(port))) await sleep(1000);
    }
  }
}
