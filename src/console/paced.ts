/**
 * A reading the figures need every second whose cost grows with the data (listing every S3 object):
 * it is read again when the last result is older than `factor` × the time the last read took, so
 * at most 1/factor of the time goes to it. A read that took up to `waitMs` is awaited (the figures
 * stay current); a slower one runs in the background and the last result is served meanwhile. A
 * failed read is retried at the next call and reported to every caller until one succeeds.
 */
export class Paced<T> {
  private last: { at: number; ms: number; value?: T; error?: unknown } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<T>,
    private readonly opts: { factor?: number; waitMs?: number; now?: () => number } = {},
  ) {}

  async get(): Promise<T> {
    const now = this.opts.now ?? Date.now;
    const factor = this.opts.factor ?? 10;
    const last = this.last;
    const failed = last?.error !== undefined;
    if (!this.running && (!last || failed || now() - last.at >= factor * last.ms)) {
      const t0 = now();
      this.running = this.read().then(
        (value) => {
          this.last = { at: now(), ms: now() - t0, value };
          this.running = undefined;
        },
        (error: unknown) => {
          this.last = { at: now(), ms: now() - t0, error: error ?? new Error('failed') };
          this.running = undefined;
        },
      );
    }
    if (this.running && (!last || failed || last.ms <= (this.opts.waitMs ?? 250))) await this.running;
    const r = this.last!;
    if (r.error !== undefined) throw r.error;
    return r.value as T;
  }
}
