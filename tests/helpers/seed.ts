import { onTestFailed } from 'vitest';
import { mulberry32, type Rng } from '../../src/emulator/index.ts';

/** The variable that replays a randomised test: PINPIPE_TEST_SEED=<the seed printed on failure>. */
export const SEED_VAR = 'PINPIPE_TEST_SEED';

/**
 * A seeded random source for one test. The seed comes from PINPIPE_TEST_SEED when set, else it is
 * drawn fresh; when the test fails, the seed is printed with the command line that replays it.
 * Call it inside the test (it registers the failure hook on the running test).
 */
export function testRandom(what: string): { seed: number; rng: Rng } {
  const fixed = process.env[SEED_VAR];
  const seed = fixed !== undefined && fixed !== '' ? Number(fixed) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  onTestFailed(() => {
    process.stderr.write(`[seed] ${what} used seed ${seed}: replay with ${SEED_VAR}=${seed}\n`);
  });
  return { seed, rng: mulberry32(seed) };
}
