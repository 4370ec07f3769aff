import { describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../../src/cli/exit-codes.ts';

describe('exit codes', () => {
  it('doctor failures are "a service unreachable or a prerequisite missing" (3), as the README table says', () => {
    expect(exitCodeFor('DOCTOR_FAILED')).toBe(ExitCode.UNAVAILABLE);
    expect(ExitCode.UNAVAILABLE).toBe(3);
  });

  it('a verification mismatch is 4, a missing batch database is a plain failure (1)', () => {
    expect(exitCodeFor('VERIFY_MISMATCH')).toBe(4);
    expect(exitCodeFor('BATCH_NOTHING_TO_DO')).toBe(1);
    expect(exitCodeFor('PROXY_UNAVAILABLE')).toBe(3);
  });
});
