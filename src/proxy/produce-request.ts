import { z } from 'zod';
import { canonicalJsonRecords } from './canonical-json.ts';
import { httpErrors } from './confluent-errors.ts';

/**
 * Pure validation of a v2 produce request: content type → embedded format, body → Kafka records.
 * Confluent's v2 API (docs.confluent.io/platform/current/kafka-rest/api.html#post--topics-(string-topic_name)).
 */
export type EmbeddedFormat = 'json' | 'binary';

export interface ProduceRecord {
  key: Buffer | null;
  value: Buffer;
  /** Explicit partition, when the client chose one. */
  partition: number | undefined;
}

/**
 * Content types the produce endpoint accepts: the JSON and binary embedded formats. The generic v2 type
 * selects binary, as Confluent's v2 TopicsResource did (@Consumes KAFKA_V2_JSON_BINARY, KAFKA_V2_JSON);
 * plain application/json too, as its v1 API did when no embedded format was named.
 */
const FORMATS: Record<string, EmbeddedFormat> = {
  'application/vnd.kafka.json.v2+json': 'json',
  'application/vnd.kafka.binary.v2+json': 'binary',
  'application/vnd.kafka.v2+json': 'binary',
  'application/json': 'binary',
};

/** Kafka's own rule (org.apache.kafka.common.internals.Topic): 1–249 of [a-zA-Z0-9._-], not "." or "..". */
export function isValidTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..';
}

/** The embedded format for a Content-Type header, or a 415 error. Parameters (charset) are ignored. */
export function formatFor(contentType: string | undefined): EmbeddedFormat {
  const media = contentType?.split(';')[0]?.trim().toLowerCase();
  const format = media ? FORMATS[media] : undefined;
  if (!format) throw httpErrors.unsupportedMediaType(contentType);
  return format;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(field: string, i: number, v: unknown): Buffer {
  if (typeof v !== 'string' || !BASE64.test(v)) {
    throw httpErrors.conversion(`records[${i}].${field} must be a base64 string in the binary format.`);
  }
  return Buffer.from(v, 'base64');
}

function encode(format: EmbeddedFormat, field: string, i: number, v: unknown): Buffer {
  return format === 'json' ? Buffer.from(JSON.stringify(v)) : decodeBase64(field, i, v);
}

/**
 * How deep a produce body may nest objects and arrays: `{"records":[{"value":{…}}]}` is 3 levels
 * around a record's value, so a value may nest 61 more. Deeper bodies are refused before JSON.parse:
 * 10 KB of `[` would otherwise overflow the stack where a value is stringified again.
 */
export const MAX_BODY_DEPTH = 64;

/**
 * True when `text` (JSON or not) opens more than `max` objects/arrays at once, strings skipped (each
 * string's end is found with indexOf, the bulk of a produce body being string content).
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // to the closing quote: the next quote not escaped by an odd run of backslashes
      for (;;) {
        const q = text.indexOf('"', i + 1);
        if (q < 0) return false; // an unterminated string: nothing after it opens anything
        let b = q - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        i = q;
        if ((q - 1 - b) % 2 === 0) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** `{"records":[...]}`: an object with a non-empty array of records (each checked by `recordSchema`). */
const bodySchema = z.object(
  {
    records: z
      .array(z.unknown(), {
        error: (iss) =>
          iss.input === undefined || iss.input === null
            ? '"records" is required: {"records":[{"value":...}]}.'
            : '"records" must be an array.',
      })
      .min(1, '"records" must not be empty.'),
  },
  { error: 'The body must be a JSON object {"records":[...]}.' },
);

/**
 * One record: an object with a value. Confluent would send a missing value as a null (a tombstone);
 * the pipeline's topics hold rows, so a record without a value is a client bug (422 / 42206,
 * docs/proxy.md). An explicit partition overrides the one of the path.
 */
export const recordSchema = z.object(
  {
    key: z.unknown().optional(),
    value: z.unknown().refine((v) => v !== undefined && v !== null, 'has no "value".'),
    partition: z
      .int({ error: 'must be a non-negative integer.' })
      .min(0, 'must be a non-negative integer.')
      .nullish(),
  },
  { error: 'must be an object with a "value".' },
);

type ValidRecord = z.output<typeof recordSchema>;

/**
 * The hot path's check of one record: true only for what `recordSchema` accepts (an object with a
 * value that is not null, a partition absent, null or a non-negative safe integer). A record it
 * refuses goes through the schema, which accepts it or says what is wrong; so the schema stays the
 * rule and this only saves building its result for each of a request's many good records.
 */
export function isValidRecord(r: unknown): r is ValidRecord {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return false;
  const { value, partition } = r as { value?: unknown; partition?: unknown };
  return (
    value !== undefined &&
    value !== null &&
    (partition === undefined ||
      partition === null ||
      (typeof partition === 'number' && Number.isSafeInteger(partition) && partition >= 0))
  );
}

/** The envelope the hot path accepts without the schema: an object whose "records" is a non-empty array. */
function recordsOf(body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const records = (body as { records?: unknown }).records;
  return Array.isArray(records) && records.length > 0 ? records : undefined;
}

/**
 * Parses and validates a produce body; `partitionFromPath` is set for POST /topics/{t}/partitions/{p}.
 * A JSON-format body already in `JSON.stringify`'s form is cut into records without being parsed
 * (canonical-json.ts); the records and every refusal are the same either way.
 */
export function parseProduceBody(
  raw: Buffer | string,
  format: EmbeddedFormat,
  partitionFromPath?: number,
): ProduceRecord[] {
  if (format === 'json' && typeof raw !== 'string') {
    const records = canonicalJsonRecords(raw, MAX_BODY_DEPTH, partitionFromPath);
    if (records) return records;
  }
  return parseProduceBodyText(raw, format, partitionFromPath);
}

/** `parseProduceBody` through JSON.parse, for every body (exported for the tests comparing both). */
export function parseProduceBodyText(
  raw: Buffer | string,
  format: EmbeddedFormat,
  partitionFromPath?: number,
): ProduceRecord[] {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw httpErrors.tooDeep(MAX_BODY_DEPTH);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw httpErrors.malformedJson((err as Error).message);
  }
  let records = recordsOf(body);
  if (!records) {
    const envelope = bodySchema.safeParse(body);
    if (!envelope.success) throw httpErrors.invalidPayload(envelope.error.issues[0]!.message);
    records = envelope.data.records;
  }
  // record by record, so the first bad record (its shape or its encoding) is the one answered
  const out = new Array<ProduceRecord>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const rec = isValidRecord(r) ? r : checkedRecord(r, i);
    out[i] = {
      key: rec.key === undefined || rec.key === null ? null : encode(format, 'key', i, rec.key),
      value: encode(format, 'value', i, rec.value),
      partition: rec.partition ?? partitionFromPath,
    };
  }
  return out;
}

/** A record through `recordSchema`: its data, or the 422 naming the record and its first issue. */
function checkedRecord(r: unknown, i: number): ValidRecord {
  const parsed = recordSchema.safeParse(r);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 && issue.path[0] !== 'value' ? `.${String(issue.path[0])}` : '';
  throw httpErrors.invalidPayload(`records[${i}]${field} ${issue.message}`);
}

/** Bytes a record takes in a batch (for the batch size cap). */
export function recordBytes(r: ProduceRecord): number {
  return r.value.length + (r.key?.length ?? 0) + 32;
}
