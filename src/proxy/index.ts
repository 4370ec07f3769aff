export { startProxy, isLoopback, type StartProxyOptions, type StartedProxy } from './proxy.ts';
export { ConfluentCodes, ProxyHttpError, type ConfluentErrorBody } from './confluent-errors.ts';
export { V2_CONTENT_TYPE, produceResponse, type ProduceResponseBody } from './responses.ts';
export {
  parseProduceBody,
  formatFor,
  isValidTopicName,
  type EmbeddedFormat,
  type ProduceRecord,
} from './produce-request.ts';
export { KafkaBackend } from './kafka-backend.ts';
