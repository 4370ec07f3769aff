import { describe, expect, it } from 'vitest';
import { formatCrashResult, runCrashScenario } from '../../bench/sink-crash.ts';
import { testProfile } from '../helpers/profile.ts';

// SIGKILL the sink child at random moments while records are produced,
// restart it each time, drain, and read every object back against the Kafka log.
describe('sink: exactly once across SIGKILLs', { timeout: 110_000 }, () => {
  it('stores every offset of every partition exactly once after 5 kills', async () => {
    const result = await runCrashScenario({ profile: testProfile(), kills: 5, maxUpMs: 2000 });
    process.stderr.write(`${formatCrashResult(result)}\n`);
    expect(result.drainExitCode).toBe(0);
    expect(result.killsAfterJoin).toBeGreaterThanOrEqual(4);
    expect(result.comparison.logRecords).toBe(result.produced);
    expect(result.comparison.missing).toEqual([]);
    expect(result.comparison.duplicated).toBe(0);
    expect(result.comparison.mismatched).toEqual([]);
    expect(result.comparison.unknown).toBe(0);
    for (const p of result.perPartition) expect(p.stored).toBe(p.logRecords);
  });
});
