import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a secret a client sent with the expected one in constant time: hashing both first makes
 * the lengths equal, so neither the length nor a common prefix shows in the time taken. Used for the
 * proxy's API key and the console's token.
 */
export function secretEquals(expected: string, got: string | null | undefined): boolean {
  if (got === undefined || got === null) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(got).digest();
  return timingSafeEqual(a, b);
}
