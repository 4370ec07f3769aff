import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Admission } from './admission.ts';
import type { AckLedger } from '../ledger/index.ts';
import { httpErrors } from './confluent-errors.ts';
import { declaredLength, readBody, sendJson } from './http-io.ts';
import type { KafkaBackend, PartitionMetadata } from './kafka-backend.ts';
import { kafkaFailure } from './kafka-errors.ts';
import type { LingerBatcher, PartitionedRecord } from './linger-batcher.ts';
import type { ProxyMetrics } from './metrics.ts';
import { defaultPartitioner } from '../clients/kafka-partitioner.ts';
import { formatFor, isValidTopicName, parseProduceBody, type ProduceRecord } from './produce-request.ts';
import { produceResponse } from './responses.ts';

/** Detail of a 503 answered before the body was read, because Kafka is known to be unreachable. */
export const KNOWN_DOWN = 'Kafka is known to be unreachable (answered before reading the body)';

export interface ProduceDeps {
  backend: KafkaBackend;
  admission: Admission;
  batcher: LingerBatcher;
  acks: () => AckLedger;
  metrics: ProxyMetrics;
  maxBody: number;
  retryAfter: number;
}

/**
 * The produce path: content type → Kafka known down? (503) → admission on Content-Length (429) →
 * topic metadata (cached) → body (bounded, counted) → records → partition → linger batcher → 200.
 */
export function produceHandler(d: ProduceDeps) {
  const partitioner = defaultPartitioner();

  const assign = (topic: string, parts: PartitionMetadata[], records: ProduceRecord[]): PartitionedRecord[] =>
    records.map((r) => {
      if (r.partition !== undefined) {
        if (!parts.some((p) => p.partitionId === r.partition))
          throw httpErrors.partitionNotFound(topic, r.partition);
        return { key: r.key, value: r.value, partition: r.partition };
      }
      const partition = partitioner(topic, r.key, parts);
      return { key: r.key, value: r.value, partition };
    });

  const knownPartitions = async (topic: string): Promise<PartitionMetadata[]> => {
    if (!isValidTopicName(topic))
      throw httpErrors.topicNotFound(topic, 'It is not a valid Kafka topic name.');
    const parts = await d.backend.partitions(topic).catch((err: unknown) => {
      throw kafkaFailure(err);
    });
    if (!parts) throw httpErrors.topicNotFound(topic);
    return parts;
  };

  const produce = async (
    req: IncomingMessage,
    res: ServerResponse,
    topic: string,
    pathPartition?: string,
  ): Promise<void> => {
    const format = formatFor(req.headers['content-type']);
    let partition: number | undefined;
    if (pathPartition !== undefined) {
      if (!/^\d{1,9}$/.test(pathPartition)) throw httpErrors.partitionNotFound(topic, Number.NaN);
      partition = Number(pathPartition);
    }
    if (!isValidTopicName(topic))
      throw httpErrors.topicNotFound(topic, 'It is not a valid Kafka topic name.');
    // Everything below happens before a byte of the body is read.
    if (d.backend.isDown()) throw httpErrors.kafka(true, KNOWN_DOWN, d.retryAfter);
    const declared = declaredLength(req);
    if (declared !== undefined && declared > d.maxBody) throw httpErrors.tooLarge(d.maxBody);
    const ticket = d.admission.admit(declared ?? 0);
    if (typeof ticket === 'string') throw httpErrors.tooManyRequests(ticket, d.retryAfter);
    try {
      const parts = await knownPartitions(topic);
      const raw = await readBody(
        req,
        d.maxBody,
        declared === undefined
          ? {
              grow: (n) => ticket.grow(n),
              refusal: () => httpErrors.tooManyRequests('bytes', d.retryAfter),
            }
          : undefined,
      );
      d.metrics.bytes.inc({ topic }, raw.length);
      const assigned = assign(topic, parts, parseProduceBody(raw, format, partition));
      const offsets = await d.batcher.submit(topic, assigned).catch((err: unknown) => {
        d.acks().failed(topic, assigned.length);
        throw kafkaFailure(err);
      });
      d.acks().acknowledged(topic, assigned.length, offsets);
      d.metrics.records.inc({ topic }, assigned.length);
      sendJson(req, res, 200, produceResponse(offsets));
    } finally {
      ticket.release();
    }
  };

  return { produce, knownPartitions };
}
