/**
 * Confluent REST Proxy v2 error codes and bodies (docs/spec.md#proxy-errors). The numbers are Confluent's
 * (io.confluent.kafkarest.Errors and rest-utils' generic mappers); the messages say what to do next.
 */
export const ConfluentCodes = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOPIC_NOT_FOUND: 40401,
  PARTITION_NOT_FOUND: 40402,
  /** Conversion of JSON to the embedded format failed (e.g. bad base64 in the binary format). */
  JSON_CONVERSION: 42203,
  /** The payload is not a valid produce request (records missing or empty, a record without value). */
  INVALID_PAYLOAD: 42206,
  INTERNAL: 50001,
  KAFKA_ERROR: 50002,
  KAFKA_RETRIABLE_ERROR: 50003,
} as const;

export interface ConfluentErrorBody {
  error_code: number;
  message: string;
}

/** An HTTP answer in Confluent's error shape: `{"error_code":40401,"message":"Topic not found."}`. */
export class ProxyHttpError extends Error {
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.name = 'ProxyHttpError';
    this.status = status;
    this.errorCode = errorCode;
  }

  body(): ConfluentErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const httpErrors = {
  malformedJson: (detail: string) =>
    new ProxyHttpError(400, ConfluentCodes.BAD_REQUEST, `Malformed JSON in the request body: ${detail}`),
  unauthorized: () =>
    new ProxyHttpError(
      401,
      ConfluentCodes.UNAUTHORIZED,
      'Unauthorized: send the proxy API key in the X-API-Key header.',
    ),
  notFound: (path: string) =>
    new ProxyHttpError(404, ConfluentCodes.NOT_FOUND, `HTTP 404 Not Found: no route for ${path}`),
  methodNotAllowed: () =>
    new ProxyHttpError(405, ConfluentCodes.METHOD_NOT_ALLOWED, 'HTTP 405 Method Not Allowed'),
  tooLarge: (limit: number) =>
    new ProxyHttpError(
      413,
      ConfluentCodes.PAYLOAD_TOO_LARGE,
      `Request body is larger than ${limit} bytes (proxy.maxBodyBytes): send fewer records per request.`,
    ),
  unsupportedMediaType: (got: string | undefined) =>
    new ProxyHttpError(
      415,
      ConfluentCodes.UNSUPPORTED_MEDIA_TYPE,
      `HTTP 415 Unsupported Media Type: ${got ? `"${got}"` : 'no Content-Type'}; use application/vnd.kafka.json.v2+json or application/vnd.kafka.binary.v2+json.`,
    ),
  topicNotFound: (topic: string, why = '') =>
    new ProxyHttpError(
      404,
      ConfluentCodes.TOPIC_NOT_FOUND,
      `Topic not found.${why ? ` ${why}` : ''} (topic "${topic}")`,
    ),
  partitionNotFound: (topic: string, partition: number) =>
    new ProxyHttpError(
      404,
      ConfluentCodes.PARTITION_NOT_FOUND,
      `Partition not found. (topic "${topic}", partition ${partition})`,
    ),
  invalidPayload: (detail: string) =>
    new ProxyHttpError(422, ConfluentCodes.INVALID_PAYLOAD, `Payload error. ${detail}`),
  conversion: (detail: string) =>
    new ProxyHttpError(422, ConfluentCodes.JSON_CONVERSION, `Conversion of JSON to Object failed: ${detail}`),
  kafka: (retriable: boolean, detail: string) =>
    retriable
      ? new ProxyHttpError(503, ConfluentCodes.KAFKA_RETRIABLE_ERROR, `Kafka error (retriable): ${detail}`)
      : new ProxyHttpError(500, ConfluentCodes.KAFKA_ERROR, `Kafka error: ${detail}`),
  internal: (detail: string) =>
    new ProxyHttpError(500, ConfluentCodes.INTERNAL, `Internal proxy error: ${detail}`),
} as const;
