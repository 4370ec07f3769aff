import type http from 'node:http';
import type { Job } from './actions.ts';
import type { PipelineFigures } from './figures.ts';
import { eventFrame, openEventStream } from './http-io.ts';

/** How often the pipeline figures are refreshed and pushed to every open page. */
export const TICK_MS = 1000;

/**
 * The open pages' event streams and the figures they are sent: refreshed every TICK_MS while a page
 * is open (one refresh at a time, shared by /api/pipeline), each with the current job.
 */
export class LiveFigures {
  private readonly streams = new Set<http.ServerResponse>();
  private latest: PipelineFigures | undefined;
  private latestAt = 0;
  private refreshing: Promise<PipelineFigures> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => Promise<PipelineFigures>,
    private readonly job: () => Job | null,
  ) {}

  /** The figures with the job: the last ones when younger than TICK_MS, else fresh ones. */
  async current(): Promise<PipelineFigures & { job: Job | null }> {
    const latest = this.latest;
    const f = latest && Date.now() - this.latestAt < TICK_MS ? latest : await this.refresh();
    return { ...f, job: this.job() };
  }

  private refresh(): Promise<PipelineFigures> {
    this.refreshing ??= this.read().then(
      (f) => {
        this.latest = f;
        this.latestAt = Date.now();
        this.refreshing = undefined;
        return f;
      },
      (err: unknown) => {
        this.refreshing = undefined;
        throw err;
      },
    );
    return this.refreshing;
  }

  /** Sends one event to every open page. */
  push(event: string, data: unknown): void {
    const frame = eventFrame(event, data);
    for (const s of this.streams) s.write(frame);
  }

  /** Opens a page's event stream, starting with the last figures when there are any. */
  open(req: http.IncomingMessage, res: http.ServerResponse): void {
    openEventStream(res);
    if (this.latest) res.write(eventFrame('figures', { ...this.latest, job: this.job() }));
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  /** Refreshes and pushes the figures every TICK_MS until stop. */
  async tick(): Promise<void> {
    const started = Date.now();
    if (this.streams.size > 0) {
      try {
        const f = await this.refresh();
        this.push('figures', { ...f, job: this.job() });
      } catch {
        // figures() marks failing stages itself; an unexpected failure waits for the next tick
      }
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), Math.max(0, TICK_MS - (Date.now() - started)));
    }
  }

  /** Stops the ticks and ends every stream. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const s of this.streams) s.end();
    this.streams.clear();
  }

  /** Waits for a refresh under way (after the server stopped taking requests). */
  async settled(): Promise<void> {
    await this.refreshing?.catch(() => undefined);
  }
}
