import cliProgress from 'cli-progress';
import { readEnv } from '../config/index.ts';

export interface Progress {
  increment(n?: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (stderr), nothing otherwise: callers print a one-line summary at
 * the end either way, so logs in CI stay short.
 */
export function createProgress(opts: {
  label: string;
  total: number;
  enabled?: boolean;
  unit?: string;
}): Progress {
  const enabled = opts.enabled ?? readEnv().isTTY;
  if (!enabled) {
    return { increment() {}, update() {}, setTotal() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${opts.label} [{bar}] {percentage}% | {value}/{total} ${opts.unit ?? ''} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(opts.total, 0);
  let stopped = false;
  return {
    increment: (n = 1, payload) => bar.increment(n, payload),
    update: (v, payload) => bar.update(v, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
