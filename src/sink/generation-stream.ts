import {
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import type { KafkaConsumer } from '../clients/index.ts';

export type SinkMessage = Message<Buffer, Buffer, Buffer, Buffer>;
export type SinkStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;

/**
 * Records taken from the stream, stored and committed at a time: about four objects' worth, so a
 * slice's objects upload in parallel under one commit, between 250 (flush.size 1: 250 PutObjects, a
 * stop never waits long) and 4,000.
 */
export function sliceOf(flushSize: number): number {
  return Math.min(4000, Math.max(250, flushSize * 4));
}
/** Records the Kafka client may hold read ahead of the sink (the stream's high water mark). */
const READ_AHEAD = 8000;
/**
 * Bytes a fetch may bring per partition and in all: small enough that the first slice is stored
 * while the next fetches arrive, instead of one fetch of everything the partitions hold.
 */
const FETCH_PARTITION_BYTES = 1 << 20;
const FETCH_BYTES = 10 << 20;
/** Longest wait for the broker to answer a fetch with nothing new. */
const FETCH_WAIT_MS = 500;

/** A stream of one generation's partitions from the positions the sink holds (no autocommit). */
export function openGenerationStream(
  consumer: KafkaConsumer,
  topics: string[],
  offsets: Array<{ topic: string; partition: number; offset: bigint }>,
): Promise<SinkStream> {
  return consumer.consume({
    topics,
    mode: MessagesStreamModes.MANUAL,
    offsets,
    // records deleted by retention meanwhile: read on from the oldest one left, never the newest
    fallbackMode: MessagesStreamFallbackModes.EARLIEST,
    autocommit: false,
    maxWaitTime: FETCH_WAIT_MS,
    highWaterMark: READ_AHEAD,
    maxBytesPerPartition: FETCH_PARTITION_BYTES,
    maxBytes: FETCH_BYTES,
  });
}

/** Up to `max` records the stream holds now (none when it holds none). */
export function takeSlice(stream: SinkStream, max: number): SinkMessage[] {
  const slice: SinkMessage[] = [];
  let m: SinkMessage | null;
  while (slice.length < max && (m = stream.read() as SinkMessage | null) !== null) slice.push(m);
  return slice;
}
