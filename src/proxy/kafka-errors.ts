import { describeKafkaFailure, isKafkaRetriable } from '../clients/kafka-errors.ts';
import { httpErrors, ProxyHttpError } from './confluent-errors.ts';

/**
 * Maps a Kafka failure to Confluent's answer: 503 + 50003 when retrying may help (broker down or not
 * answering, timeouts, leader changes), 500 + 50002 otherwise (e.g. a record larger than the broker
 * accepts). What counts as which is decided in src/clients/kafka-errors.ts.
 */
export function kafkaFailure(err: unknown): ProxyHttpError {
  if (err instanceof ProxyHttpError) return err;
  const message = describeKafkaFailure(err).slice(0, 300);
  return httpErrors.kafka(isKafkaRetriable(err), message);
}
