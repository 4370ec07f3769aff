import type { EventEmitter } from 'node:events';
import {
  Admin,
  Consumer,
  Producer,
  ProduceAcks,
  connectionsConnectsChannel,
  type BaseOptions,
  type CallbackWithPromise,
  type ConsumerOptions,
  type ProduceResult,
  type ProducerOptions,
} from '@platformatic/kafka';
import type { Profile } from '../config/index.ts';
import { kafkaSecurityConfig } from './kafka-auth.ts';
import { producerPartitioner } from './kafka-partitioner.ts';

/**
 * The one place that builds Kafka clients (proxy, sink, emulator, admin, verify, console, doctor,
 * tests) from a profile, with @platformatic/kafka. Security (TLS, SASL / MSK IAM) comes from
 * kafka-auth.ts, so stages never differ by profile.
 *
 * Serdes: none are set, so keys, values and headers are Buffers both ways (the library's default);
 * callers decode what they read (`value.toString('utf8')`).
 */
export type KafkaProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
export type KafkaConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
export type KafkaAdmin = Admin;

/**
 * A broker connection reports its socket's errors as 'error' events, and the library listens for
 * only the first one (the connection pool's `once('error')`): a TLS connection that fails its
 * handshake and is then reset emits two, and the second would crash the process as an uncaught
 * error. The failure itself still reaches the caller through the library's callbacks; this listener
 * only keeps the later events from escaping. Every connection announces itself on the library's
 * documented diagnostics channel before it connects.
 */
const guarded = new WeakSet<object>();
connectionsConnectsChannel.start.subscribe((message) => {
  const connection = (message as { connection?: EventEmitter }).connection;
  if (!connection || guarded.has(connection)) return;
  guarded.add(connection);
  connection.on('error', () => {});
});

/** Exponential back-off between the library's retries: 200 ms doubling, at most 5 s. */
function retryDelay(_client: unknown, _op: string, attempt: number): number {
  return Math.min(5000, 200 * 2 ** Math.max(0, attempt - 1));
}

/** Client id, brokers, timeouts, retries and security for any of the three clients. */
export function kafkaBaseOptions(profile: Profile, overrides: Partial<BaseOptions> = {}): BaseOptions {
  return {
    clientId: profile.kafka.clientId,
    bootstrapBrokers: profile.kafka.brokers,
    connectTimeout: profile.kafka.connectionTimeoutMs,
    requestTimeout: 30000,
    retries: 5,
    retryDelay,
    ...kafkaSecurityConfig(profile),
    ...overrides,
  };
}

export function createKafkaAdmin(profile: Profile, overrides: Partial<BaseOptions> = {}): KafkaAdmin {
  return new Admin(kafkaBaseOptions(profile, overrides));
}

export type KafkaProducerOptions = Partial<ProducerOptions<Buffer, Buffer, Buffer, Buffer>>;

type SendArgs = Parameters<KafkaProducer['send']>;

/**
 * The library reads `acks` from each send's options alone: a send without them goes with acks=1
 * (the leader only) whatever the producer was created with, unless the producer is idempotent. So
 * every send of this producer carries the producer's `acks` when the caller names none.
 */
class AcksProducer extends Producer<Buffer, Buffer, Buffer, Buffer> {
  readonly #acks: number;

  constructor(options: ProducerOptions<Buffer, Buffer, Buffer, Buffer>, acks: number) {
    super(options);
    this.#acks = acks;
  }

  override send(options: SendArgs[0], callback: CallbackWithPromise<ProduceResult>): void;
  override send(options: SendArgs[0]): Promise<ProduceResult>;
  override send(
    options: SendArgs[0],
    callback?: CallbackWithPromise<ProduceResult>,
  ): void | Promise<ProduceResult> {
    const withAcks = options.acks === undefined ? { ...options, acks: this.#acks } : options;
    return callback ? super.send(withAcks, callback) : super.send(withAcks);
  }
}

/**
 * A producer whose sends wait for acks=all (unless `options.acks` says otherwise) and never create
 * topics; keyless records go to the partition the caller sets, else round robin; keyed ones without
 * one on Kafka's Java partition (the library's own default hashes differently).
 */
export function createKafkaProducer(profile: Profile, options: KafkaProducerOptions = {}): KafkaProducer {
  const all: ProducerOptions<Buffer, Buffer, Buffer, Buffer> = {
    ...kafkaBaseOptions(profile),
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
    idempotent: false,
    partitioner: producerPartitioner(),
    ...options,
  };
  return new AcksProducer(all, all.acks ?? ProduceAcks.ALL);
}

export type KafkaConsumerOptions = Partial<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>> & {
  groupId: string;
};

export function createKafkaConsumer(profile: Profile, options: KafkaConsumerOptions): KafkaConsumer {
  return new Consumer<Buffer, Buffer, Buffer, Buffer>({ ...kafkaBaseOptions(profile), ...options });
}
