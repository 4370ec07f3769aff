/**
 * The sink's exactly-once promise under SIGKILL: while records are produced to a fresh
 * 3-partition topic, `pinpipe sink` runs as a child process and is killed with SIGKILL at random
 * moments, restarted each time, then drained; every object is read back and compared with the
 * Kafka log of each partition (0 missing, 0 duplicated offsets, same values).
 *
 *   npm run bench:sink-crash            # 20 kills
 *   npm run bench:sink-crash -- 8       # another number of kills
 *
 * The scenario lives in testkit/sink-crash.ts; tests/integration/sink-crash.test.ts runs it with 5 kills.
 */
import { loadProfile } from '../src/config/index.ts';
import { formatCrashResult, runCrashScenario } from '../testkit/sink-crash.ts';

const kills = Number(process.argv[2] ?? 20);
const { profile } = loadProfile();
const result = await runCrashScenario({ profile, kills, say: (m) => process.stderr.write(`${m}\n`) });
process.stdout.write(`${formatCrashResult(result)}\n`);
const c = result.comparison;
const ok =
  c.missing.length === 0 &&
  c.duplicated === 0 &&
  c.mismatched.length === 0 &&
  c.unknown === 0 &&
  result.drainExitCode === 0;
process.exitCode = ok ? 0 : 1;
