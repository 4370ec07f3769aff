import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { readSinkStatus, sinkStatusPath } from '../sink/index.ts';
import { parsePrometheus, proxyFigures, type PromSample, type ProxyFigures } from './prometheus.ts';

const METRICS_MS = 1500;

/**
 * The proxy's figures from its /metrics (docs/metrics.md). It is up when it answers at all; a
 * proxy that serves no metrics (another implementation behind proxy.url) gives null figures.
 */
export async function proxyMetrics(profile: Profile): Promise<ProxyFigures | null> {
  const url = `${profile.proxy.url.replace(/\/$/, '')}/metrics`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(METRICS_MS) });
  } catch (err) {
    throw new Error(`GET ${url} failed (${describeError((err as { cause?: unknown }).cause ?? err)})`, {
      cause: err,
    });
  }
  const text = await res.text().catch(() => '');
  if (res.status !== 200) return null;
  return proxyFigures(parsePrometheus(text));
}

/** The sink's /metrics, when a running sink of this profile's group serves them; else null. */
export async function sinkMetrics(profile: Profile): Promise<PromSample[] | null> {
  const status = readSinkStatus(sinkStatusPath(profile, profile.sink.groupId));
  if (!status?.metricsUrl) return null;
  try {
    const res = await fetch(status.metricsUrl, { signal: AbortSignal.timeout(METRICS_MS) });
    if (res.status !== 200) return null;
    return parsePrometheus(await res.text());
  } catch {
    return null;
  }
}
