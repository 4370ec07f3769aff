import type http from 'node:http';
import net from 'node:net';
import type { ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';

/** After the listener closes, time for connections already accepted to deliver their request. */
const DRAIN_GRACE_MS = 150;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The requests being answered: counted from arrival until the answer is handed to the OS (or the
 * client went away), so a drain never cuts off an answer that is still being written.
 */
export class RequestTracker {
  inFlight = 0;
  draining = false;
  private onIdle: (() => void) | undefined;
  /** Answers not yet written: told to close their connection when draining starts. */
  private readonly open = new Set<ServerResponse>();

  track(res: ServerResponse): void {
    this.inFlight++;
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      this.inFlight--;
      if (this.inFlight === 0) this.onIdle?.();
    });
    if (this.draining) res.setHeader('Connection', 'close');
  }

  startDraining(): void {
    this.draining = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Resolves when no request is in flight, or at the deadline. */
  idle(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.onIdle = resolve;
      setTimeout(resolve, Math.max(0, deadline - Date.now())).unref();
    });
  }
}

/**
 * Stops accepting, waits for the requests in flight (up to `drainTimeoutMs`), then runs `after`
 * (flush the batcher) and closes every connection.
 */
export async function drainServer(
  server: http.Server,
  tracker: RequestTracker,
  opts: { drainTimeoutMs: number; logger: Logger; beforeClose: () => Promise<void> },
): Promise<void> {
  tracker.startDraining();
  // Connections the kernel accepted but Node has not yet picked up would be reset when the
  // listener closes: let the event loop take them in first.
  await sleep(DRAIN_GRACE_MS);
  // Stop accepting without http.Server#close's closeIdleConnections(): a connection whose request
  // bytes are not parsed yet counts as idle, and would be reset instead of answered.
  const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
  const deadline = Date.now() + opts.drainTimeoutMs;
  let announced = false;
  do {
    await sleep(DRAIN_GRACE_MS);
    if (tracker.inFlight > 0) {
      if (!announced) opts.logger.info(`draining ${tracker.inFlight} request(s) in flight`);
      announced = true;
      await tracker.idle(deadline);
    }
  } while (tracker.inFlight > 0 && Date.now() < deadline);
  await opts.beforeClose();
  server.closeAllConnections();
  await closed;
}
