/**
 * Confluent REST Proxy v2 error codes and bodies (docs/spec.md#proxy-errors). The numbers are Confluent's
 * (io.confluent.kafkarest.Errors and rest-utils' generic mappers); the messages say what to do next.
 */
export const ConfluentCodes = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Over a cap of the proxy; Confluent's v2 mapper uses the HTTP status as the code. */
  TOO_MANY_REQUESTS: 429,
  TOPIC_NOT_FOUND: 40401,
  PARTITION_NOT_FOUND: 40402,
  /** Conversion of JSON to the embedded format failed (bad base64 in the binary format, a body nested too deep). */
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
  /** 5xx answers only: the id under which the proxy logged the detail (also in X-Request-Id). */
  request_id?: string;
}

/**
 * An HTTP answer in Confluent's error shape: `{"error_code":40401,"message":"Topic not found."}`.
 * `message` is what the client sees; `detail` (Kafka's own message, broker addresses) is only logged.
 */
export class ProxyHttpError extends Error {
  readonly status: number;
  readonly errorCode: number;
  readonly detail: string | undefined;
  /** Seconds for a Retry-After header (429 and 503). */
  readonly retryAfter: number | undefined;
  /** Logged as a warning once per burst of its kind (this key), not once per request. */
  readonly warnOncePerBurst: string | undefined;

  constructor(
    status: number,
    errorCode: number,
    message: string,
    opts: { detail?: string; retryAfter?: number; warnOncePerBurst?: string } = {},
  ) {
    super(message);
    this.name = 'ProxyHttpError';
    this.status = status;
    this.errorCode = errorCode;
    this.detail = opts.detail;
    this.retryAfter = opts.retryAfter;
    this.warnOncePerBurst = opts.warnOncePerBurst;
  }

  body(requestId?: string): ConfluentErrorBody {
    const body: ConfluentErrorBody = { error_code: this.errorCode, message: this.message };
    if (this.status >= 500 && requestId) {
      body.message = `${this.message} (request id ${requestId})`;
      body.request_id = requestId;
    }
    return body;
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
  forbiddenHost: (host: string | undefined) =>
    new ProxyHttpError(
      403,
      ConfluentCodes.FORBIDDEN,
      `Host ${host === undefined ? '(none)' : `"${host}"`} is not this proxy: a proxy bound to a loopback address answers only to 127.0.0.1, localhost or [::1] with its port.`,
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
  tooDeep: (maxDepth: number) =>
    new ProxyHttpError(
      422,
      ConfluentCodes.JSON_CONVERSION,
      `Conversion of JSON to Object failed: the body nests objects and arrays deeper than ${maxDepth} levels; send flat records.`,
      { warnOncePerBurst: 'nesting', detail: `a body nested deeper than ${maxDepth} levels` },
    ),
  tooManyRequests: (cap: 'connections' | 'requests' | 'bytes', retryAfter: number) =>
    new ProxyHttpError(
      429,
      ConfluentCodes.TOO_MANY_REQUESTS,
      `Request rate limit exceeded: the proxy holds as many ${cap === 'bytes' ? 'bytes' : cap} as it may; retry after ${retryAfter} s.`,
      { retryAfter, detail: `over the ${cap} cap` },
    ),
  /** Generic to the client; `detail` is logged with the request id. */
  kafka: (retriable: boolean, detail: string, retryAfter?: number) =>
    retriable
      ? new ProxyHttpError(
          503,
          ConfluentCodes.KAFKA_RETRIABLE_ERROR,
          'Kafka error (retriable): Kafka is unavailable, retry later.',
          { detail, retryAfter },
        )
      : new ProxyHttpError(500, ConfluentCodes.KAFKA_ERROR, 'Kafka error: Kafka refused the records.', {
          detail,
        }),
  internal: (detail: string) =>
    new ProxyHttpError(500, ConfluentCodes.INTERNAL, 'Internal proxy error.', { detail }),
} as const;
