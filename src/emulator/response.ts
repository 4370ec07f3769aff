import { z } from 'zod';
import { parseJson } from '../json.ts';

/**
 * Interpreting a REST proxy answer and classifying failures for retries (pure). docs/spec.md#produce-response:
 * 200 with `offsets[]` (a per-record `error_code` marks that record failed); errors as
 * `{"error_code","message"}`. Network errors and 5xx are retried; 4xx are not (the request would
 * fail again), except 408 and 429, which mean "try again later".
 */
export type ProduceOutcome =
  | { kind: 'ok'; failed: Array<{ index: number; errorCode: number | null; message: string }> }
  | { kind: 'retry'; status: number; errorCode: number | null; message: string }
  | { kind: 'reject'; status: number; errorCode: number | null; message: string };

/** A Confluent error body; a field of another type counts as absent. */
const errorBodySchema = z.object({
  error_code: z.number().nullable().catch(null),
  message: z.string().nullable().catch(null),
});

/** A produce answer: one entry per record, an entry with an `error_code` failed (a malformed entry counts as none). */
const produceAnswerSchema = z.object({
  offsets: z.array(z.object({ error_code: z.unknown(), error: z.unknown() }).nullable().catch(null)),
});

function errorFields(status: number, text: string): { errorCode: number | null; message: string } {
  const r = parseJson(text, errorBodySchema);
  const body = r.ok ? r.value : undefined;
  const errorCode = body?.error_code ?? null;
  const message = body?.message ?? (text.trim().slice(0, 200) || `HTTP ${status} with an empty body`);
  return { errorCode, message };
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function interpretResponse(status: number, text: string, records: number): ProduceOutcome {
  if (status >= 200 && status < 300 && allAcknowledged(text, records)) return { kind: 'ok', failed: [] };
  return interpretResponseBySchema(status, text, records);
}

/**
 * The usual 200: one entry per record, each an object without an error_code. Told apart without the
 * schema's pass over every entry; any other answer goes through `interpretResponseBySchema`, which
 * gives the same outcome for this one.
 */
function allAcknowledged(text: string, records: number): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const offsets = (body as { offsets?: unknown }).offsets;
  if (!Array.isArray(offsets) || offsets.length !== records) return false;
  for (const entry of offsets as unknown[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
    const code = (entry as { error_code?: unknown }).error_code;
    if (code !== null && code !== undefined) return false;
  }
  return true;
}

/** `interpretResponse` through the schemas, for every answer (exported for the test comparing both). */
export function interpretResponseBySchema(status: number, text: string, records: number): ProduceOutcome {
  if (status >= 200 && status < 300) {
    const r = parseJson(text, produceAnswerSchema);
    const offsets = r.ok ? r.value.offsets : undefined;
    if (!offsets || offsets.length !== records) {
      const message = `HTTP ${status} without one offsets[] entry per record (got ${offsets ? offsets.length : 'none'} for ${records})`;
      return {
        kind: 'ok',
        failed: Array.from({ length: records }, (_, index) => ({ index, errorCode: null, message })),
      };
    }
    const failed: Array<{ index: number; errorCode: number | null; message: string }> = [];
    offsets.forEach((o, index) => {
      const entry = o ?? { error_code: undefined, error: undefined };
      if (entry.error_code !== null && entry.error_code !== undefined) {
        failed.push({
          index,
          errorCode: typeof entry.error_code === 'number' ? entry.error_code : null,
          message: typeof entry.error === 'string' ? entry.error : `error_code ${String(entry.error_code)}`,
        });
      }
    });
    return { kind: 'ok', failed };
  }
  const fields = errorFields(status, text);
  return { kind: isRetryableStatus(status) ? 'retry' : 'reject', status, ...fields };
}

/**
 * Confluent's "Kafka error (retriable)" code: the proxy is up and answers, but Kafka is down, paused or
 * has no leader. It is in the body, so it survives hops that drop headers (API Gateway drops the
 * proxy's Retry-After).
 */
export const KAFKA_RETRIABLE_ERROR_CODE = 50003;

/** Why an answer asks to come back later, if it does: the answer is then waited out, not counted as a failure. */
export type ComeBackLater = 'throttled' | 'kafka-unavailable';

/**
 * Classifies a retryable answer (pure): a 429 is "throttled"; a 5xx whose body carries error_code
 * 50003, or a 503 that names Retry-After, is "kafka-unavailable" (the proxy knows Kafka is down);
 * anything else is an ordinary failure (undefined), retried within the retry budget.
 */
export function comeBackLater(
  outcome: { status: number; errorCode: number | null },
  retryAfterMs: number | undefined,
): ComeBackLater | undefined {
  if (outcome.status === 429) return 'throttled';
  if (outcome.status >= 500 && outcome.errorCode === KAFKA_RETRIABLE_ERROR_CODE) return 'kafka-unavailable';
  if (outcome.status === 503 && retryAfterMs !== undefined) return 'kafka-unavailable';
  return undefined;
}

/** A thrown error (no HTTP answer): retried unless it is our own abort. */
export function isRetryableError(err: unknown): boolean {
  if (!(err instanceof Error)) return true;
  if (err.name === 'AbortError') return false;
  const code = (err as { code?: unknown }).code;
  return code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR';
}
