import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares an API key in constant time (hashing first makes the lengths equal). */
export function apiKeyMatches(expected: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(got).digest();
  return timingSafeEqual(a, b);
}
