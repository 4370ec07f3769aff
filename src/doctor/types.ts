/**
 * `pinpipe doctor`: one verdict per check. `warn` does not fail the run (e.g. the
 * gateway answers but the proxy process behind it is not started yet); `skip` does, when a check
 * could not run because an earlier one failed (no credentials → no bucket check).
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  /** One line: what was checked and what was found. Never a secret. */
  detail: string;
  /** How to fix it, when status is not pass. */
  fix?: string;
  ms: number;
}

export const CheckNames = ['credentials', 'bucket', 'kafka', 'topics', 'invoke-url', 'mysql'] as const;
export type CheckName = (typeof CheckNames)[number];

/** What a check returns when it finishes; throwing CheckFailure (or anything) makes it fail. */
export interface CheckOutcome {
  status?: 'pass' | 'warn' | 'skip';
  detail: string;
  fix?: string;
}

export class CheckFailure extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckFailure';
    this.fix = fix;
  }
}

export interface DoctorReport {
  profile: string;
  ok: boolean;
  checks: CheckResult[];
  ms: number;
}
