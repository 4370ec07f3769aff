import type { ErrorCode } from '../errors.ts';

/** Exit codes scripts can rely on (documented in README "Exit codes"). */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  UNAVAILABLE: 3,
  MISMATCH: 4,
  INTERRUPTED: 130,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'USAGE':
    case 'CONFIG_INVALID':
    case 'PROFILE_NOT_FOUND':
    case 'SCHEDULE_INVALID':
      return ExitCode.USAGE;
    case 'SOURCE_UNREACHABLE':
    case 'KAFKA_UNAVAILABLE':
    case 'KAFKA_AUTH_FAILED':
    case 'S3_UNAVAILABLE':
    case 'S3_BUCKET_MISSING':
    case 'PROXY_UNAVAILABLE':
    case 'SANDBOX_UNHEALTHY':
    case 'SANDBOX_PREREQ_MISSING':
    case 'SANDBOX_PORT_IN_USE':
    case 'AWS_CREDENTIALS_MISSING':
    case 'STACK_NOT_FOUND':
    case 'STACK_UNAVAILABLE':
    case 'STACK_NOT_BOOTSTRAPPED':
    case 'DOCTOR_FAILED':
    case 'SPARK_PREREQ_MISSING':
    case 'SPARK_UNAVAILABLE':
      return ExitCode.UNAVAILABLE;
    case 'VERIFY_MISMATCH':
    case 'PROFILE_STALE':
      return ExitCode.MISMATCH;
    case 'INTERRUPTED':
      return ExitCode.INTERRUPTED;
    default:
      return ExitCode.FAILURE;
  }
}
