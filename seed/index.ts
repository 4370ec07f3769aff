import type { Profile } from '../src/config/schema.ts';

/**
 * Seeds the profile's source database with the default rows (profile.sandbox.seedRows and seedSeed)
 * when the three tables are missing or empty. Used by `sandbox:up` and the test setup (issue 3).
 */
export async function seedIfEmpty(
  _profile: Profile,
  _say: (msg: string) => void,
): Promise<{ seeded: boolean; rows: number }> {
  return { seeded: false, rows: 0 };
}
