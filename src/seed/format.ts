/** Small pure helpers of the generator: value formats of the original data, and weighted picks. */

/** Seconds since the epoch of a UTC date (month 1–12). */
export function utcSeconds(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 1000;
}

/** "YYYY-MM-DD HH:MM:SS" in UTC: the DATETIME text MySQL stores and returns with dateStrings. */
export function formatDatetime(epochSeconds: number): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * Follower counts as Pinterest showed them: plain digits below 1,000; between 1,000 and 9,999
 * either plain ("8632") or with one decimal ("8.6k", `decimal`); then "124k" and "5M".
 */
export function formatFollowers(n: number, decimal: boolean): string {
  if (n < 1000) return String(n);
  if (n < 10_000) return decimal ? `${Math.floor(n / 100) / 10}k` : String(n);
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  return `${Math.floor(n / 1_000_000)}M`;
}

/** Index of the bucket `draw` (an integer in [0, sum(weights) - 1]) falls in. */
export function pickWeighted(weights: readonly number[], draw: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (draw < acc) return i;
  }
  return weights.length - 1;
}
