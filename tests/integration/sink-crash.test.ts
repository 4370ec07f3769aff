import { describe, expect, it } from 'vitest';
import { formatCrashResult, runCrashScenario } from '../../testkit/sink-crash.ts';
import { testProfile } from '../helpers/profile.ts';
import { testRandom } from '../helpers/seed.ts';

// SIGKILL the sink child at random moments while records are produced,
// restart it each time, drain, and read every object back against the Kafka log.
describe('sink: exactly once across SIGKILLs', { timeout: 110_000 }, () => {
  it('stores every offset of every partition exactly once after 5 kills', async () => {
    // The kill delays are drawn from a seed (printed on failure; PINPIPE_TEST_SEED replays it).
    const { seed, rng } = testRandom('sink crash kill delays');
    const result = await runCrashScenario({ profile: testProfile(), kills: 5, maxUpMs: 2000, random: rng });
    process.stderr.write(`[sink-crash] kill delays from seed ${seed}\n`);
    process.stderr.write(`${formatCrashResult(result)}\n`);
    expect(result.drainExitCode).toBe(0);
    // every kill lands after the child joined its group, i.e. while it consumes and writes
    expect(result.killsAfterJoin).toBe(5);
    expect(result.comparison.logRecords).toBe(result.produced);
    expect(result.comparison.missing).toEqual([]);
    expect(result.comparison.duplicated).toBe(0);
    expect(result.comparison.mismatched).toEqual([]);
    expect(result.comparison.unknown).toBe(0);
    for (const p of result.perPartition) expect(p.stored).toBe(p.logRecords);
  });
});
