import { timingSafeEqual, createHash } from 'node:crypto';
import type { RecordOffset } from './linger-batcher.ts';

/** Pure response shaping and checks of the v2 API (docs/spec.md#wire-format). */
export const V2_CONTENT_TYPE = 'application/vnd.kafka.v2+json';

export interface ProduceResponseBody {
  offsets: Array<{
    partition: number | null;
    offset: number | null;
    error_code: number | null;
    error: string | null;
  }>;
  key_schema_id: null;
  value_schema_id: null;
}

/** `{"offsets":[{"partition":0,"offset":42,"error_code":null,"error":null}],"key_schema_id":null,"value_schema_id":null}` */
export function produceResponse(offsets: RecordOffset[]): ProduceResponseBody {
  return {
    offsets: offsets.map((o) => ({
      partition: o.partition,
      offset: o.offset,
      error_code: null,
      error: null,
    })),
    key_schema_id: null,
    value_schema_id: null,
  };
}

/** Compares an API key in constant time (hashing first makes the lengths equal). */
export function apiKeyMatches(expected: string, got: string | undefined): boolean {
  if (got === undefined) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(got).digest();
  return timingSafeEqual(a, b);
}

/** The route of a request path, after URL decoding; undefined when nothing matches. */
export type Route =
  | { name: 'root' }
  | { name: 'health' }
  | { name: 'topics' }
  | { name: 'topic'; topic: string }
  | { name: 'partition'; topic: string; partition: string };

export function route(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter((p) => p.length > 0);
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  if (decoded.length === 0) return { name: 'root' };
  if (decoded[0] === 'health' && decoded.length === 1) return { name: 'health' };
  if (decoded[0] !== 'topics') return undefined;
  if (decoded.length === 1) return { name: 'topics' };
  if (decoded.length === 2) return { name: 'topic', topic: decoded[1]! };
  if (decoded.length === 4 && decoded[2] === 'partitions') {
    return { name: 'partition', topic: decoded[1]!, partition: decoded[3]! };
  }
  return undefined;
}
