import type { Logger } from '../log.ts';

/**
 * Warnings that a client can cause on every request (a body nested too deep), logged once per burst:
 * the first of a kind is written, the others within `windowMs` of it are only counted, and the next
 * line of that kind says how many were left out. A flood costs one line per window, not one per request.
 */
export class BurstLog {
  private readonly seen = new Map<string, { at: number; leftOut: number }>();
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(logger: Pick<Logger, 'warn'>, windowMs = 10_000, now: () => number = Date.now) {
    this.logger = logger;
    this.windowMs = windowMs;
    this.now = now;
  }

  warn(kind: string, line: string): void {
    const now = this.now();
    const last = this.seen.get(kind);
    if (last && now - last.at < this.windowMs) {
      last.leftOut++;
      return;
    }
    const more =
      last && last.leftOut > 0 ? ` (${last.leftOut} more like it before this one, not logged)` : '';
    this.seen.set(kind, { at: now, leftOut: 0 });
    this.logger.warn(`${line}${more}`);
  }
}
