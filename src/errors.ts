/**
 * One error class for the whole project, with a stable code per failure.
 * The CLI maps codes to exit codes (src/cli/exit-codes.ts); the proxy's Confluent error bodies are
 * its own (src/proxy/confluent-errors.ts).
 * Messages say what to do next and never contain credentials.
 */
export const ErrorCodes = [
  'CONFIG_INVALID',
  'PROFILE_NOT_FOUND',
  'USAGE',
  'SANDBOX_PREREQ_MISSING',
  'SANDBOX_PORT_IN_USE',
  'SANDBOX_START_FAILED',
  'SANDBOX_UNHEALTHY',
  'SANDBOX_BUSY',
  'SOURCE_UNREACHABLE',
  'SOURCE_SCHEMA_MISMATCH',
  'SEED_FAILED',
  'PROXY_UNAVAILABLE',
  'KAFKA_UNAVAILABLE',
  'KAFKA_AUTH_FAILED',
  'EMULATOR_FAILED',
  'GATEWAY_FAILED',
  'S3_UNAVAILABLE',
  'S3_BUCKET_MISSING',
  'SINK_UPLOAD_FAILED',
  'SINK_TOPIC_MISSING',
  'SINK_GROUP_BUSY',
  'BATCH_NOTHING_TO_DO',
  'BATCH_SQL_FAILED',
  'BATCH_SQL_REFUSED',
  'BATCH_FAILED',
  'BATCH_MODEL_INVALID',
  'BATCH_CONTRACT_FAILED',
  'SPARK_PREREQ_MISSING',
  'SPARK_UNAVAILABLE',
  'SPARK_FAILED',
  'VERIFY_MISMATCH',
  'REPORT_FAILED',
  'SCHEDULE_INVALID',
  'AWS_CREDENTIALS_MISSING',
  'STACK_NOT_FOUND',
  'STACK_UNAVAILABLE',
  'STACK_NOT_BOOTSTRAPPED',
  'STACK_FAILED',
  'PROFILE_STALE',
  'DOCTOR_FAILED',
  'FILE_INVALID',
  'INTERRUPTED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

export class PinpipeError extends Error {
  readonly code: ErrorCode;
  /** Extra structured facts for --json output; never secrets. */
  readonly details: Record<string, unknown> | undefined;
  /** The one thing to do about it ("run pinpipe provision."), when there is one; `message` ends with it. */
  readonly fix: string | undefined;
  /** What went wrong: `message` without the fix. */
  readonly problem: string;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown>; fix?: string } = {},
  ) {
    super(
      options.fix ? `${message}: ${options.fix}` : message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'PinpipeError';
    this.code = code;
    this.details = options.details;
    this.fix = options.fix;
    this.problem = message;
  }
}

export function isPinpipeError(err: unknown, code?: ErrorCode): err is PinpipeError {
  return err instanceof PinpipeError && (code === undefined || err.code === code);
}

/** Best-effort one-line description of any thrown value, for wrapping causes in messages. */
export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return describeError(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
