import type { Profile } from '../config/index.ts';
import { connectForSeed } from './connection.ts';
import { inspectTables } from './inspect.ts';
import { seedDatabase } from './seed.ts';

/**
 * Seeds the profile's source database with the default rows (profile.sandbox.seedRows and seedSeed)
 * when the three tables are missing or empty. Used by `sandbox:up` and the test setup.
 * `rows` is the number of rows per table loaded now (0 when nothing was done).
 */
export async function seedIfEmpty(
  profile: Profile,
  say: (msg: string) => void,
): Promise<{ seeded: boolean; rows: number }> {
  const conn = await connectForSeed(profile);
  try {
    const states = await inspectTables(conn);
    if (states.every((s) => s.exists && s.hasRows && !s.mismatch)) return { seeded: false, rows: 0 };
  } finally {
    await conn.end().catch(() => undefined);
  }
  const { seedRows: rows, seedSeed: seed } = profile.sandbox;
  say(`seeding ${profile.mysql.database}: ${rows} rows per table, seed ${seed}`);
  const r = await seedDatabase(profile, { rows, seed, onlyIfEmpty: true });
  return { seeded: r.action === 'loaded', rows: r.action === 'loaded' ? r.rows : 0 };
}
