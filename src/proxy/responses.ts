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
