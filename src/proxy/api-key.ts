import { secretEquals } from '../secret-equals.ts';

/** Compares an API key in constant time (src/secret-equals.ts). */
export const apiKeyMatches = (expected: string, got: string | undefined): boolean =>
  secretEquals(expected, got);
