import { ConfigResourceTypes } from '@platformatic/kafka';
import {
  createKafkaAdmin,
  createKafkaProducer,
  type KafkaAdmin,
  type KafkaProducer,
} from '../clients/kafka.ts';
import type { Profile } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { describeKafkaChain, isKafkaUnavailable, withDeadline } from '../clients/kafka-errors.ts';
import type { RecordMetadata, TopicMessages } from './linger-batcher.ts';

/** One partition of a topic as the cluster metadata describes it. */
export interface PartitionMetadata {
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/**
 * The proxy's Kafka side: one producer (acks=all) and one admin client, rebuilt after a connection
 * failure so the proxy recovers by itself when the broker returns; a short-lived topic metadata cache
 * so unknown topics are answered without a round trip; every call under a deadline.
 */
export interface KafkaBackendOptions {
  profile: Profile;
  logger: Logger;
  /** Longest a send may take before the request is answered 503 (the send may still complete). */
  sendTimeoutMs?: number;
  metadataTimeoutMs?: number;
  /** A known topic's metadata is reused this long. */
  metadataMaxAgeMs?: number;
  /** While Kafka is known to be down, how often it is probed (a metadata round trip). */
  probeIntervalMs?: number;
}

export interface TopicDescription {
  name: string;
  configs: Record<string, string>;
  partitions: Array<{
    partition: number;
    leader: number;
    replicas: Array<{ broker: number; leader: boolean; in_sync: boolean }>;
  }>;
}

export class KafkaBackend {
  private producer: Promise<KafkaProducer> | undefined;
  private admin: Promise<KafkaAdmin> | undefined;
  private topics = new Map<string, PartitionMetadata[]>();
  /** When the metadata in `topics` was asked for (performance.now()); -Infinity before the first. */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private refreshing: { startedAt: number; done: Promise<void> } | undefined;
  /** A refresh queued behind the one in flight, for callers that need metadata newer than it. */
  private queued: Promise<void> | undefined;
  private readonly opts: Required<KafkaBackendOptions>;
  /** Set while Kafka is known to be unreachable; requests are then answered 503 before their body is read. */
  private downSince: number | undefined;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bytes of sends whose caller gave up at the deadline while the producer still holds them. */
  private abandoned = 0;

  constructor(opts: KafkaBackendOptions) {
    this.opts = {
      profile: opts.profile,
      logger: opts.logger,
      sendTimeoutMs: opts.sendTimeoutMs ?? 15000,
      metadataTimeoutMs: opts.metadataTimeoutMs ?? 5000,
      metadataMaxAgeMs: opts.metadataMaxAgeMs ?? 30000,
      probeIntervalMs: opts.probeIntervalMs ?? 1000,
    };
  }

  /**
   * One short retry, each attempt bounded by half the send deadline: a send the proxy gave up on
   * ends (and frees its records) about one deadline later instead of being retried for minutes.
   */
  private clientOptions() {
    const attemptMs = Math.max(1000, Math.floor(Math.min(this.opts.sendTimeoutMs, 30000) / 2));
    return {
      clientId: `${this.opts.profile.kafka.clientId}-rest-proxy`,
      requestTimeout: attemptMs,
      connectTimeout: Math.min(attemptMs, this.opts.profile.kafka.connectionTimeoutMs),
      timeout: attemptMs,
      retries: 1,
      retryDelay: 100,
    };
  }

  /** True while Kafka is known to be unreachable (a send or probe failed, no call has succeeded since). */
  isDown(): boolean {
    return this.downSince !== undefined;
  }

  /** Bytes still held by sends the proxy already answered (they end within about one send deadline). */
  abandonedBytes(): number {
    return this.abandoned;
  }

  private markUp(): void {
    if (this.downSince === undefined) return;
    this.opts.logger.info(`Kafka is reachable again after ${Date.now() - this.downSince} ms`);
    this.downSince = undefined;
    if (this.probe) clearTimeout(this.probe);
    this.probe = undefined;
  }

  /**
   * Kafka is taken as down after a connection failure (a missed deadline, a timeout, a broker out of
   * reach); the probe clears a false alarm within one interval. A retriable protocol error such as a
   * partition without a leader yet (a topic just created) is answered 503 for that request alone.
   */
  private markDown(err: unknown): void {
    if (!isKafkaUnavailable(err) || this.closed) return;
    if (this.downSince === undefined) {
      this.downSince = Date.now();
      this.opts.logger.warn(
        `Kafka is unreachable (${(err as Error).message}); answering 503 until a probe succeeds`,
      );
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probe || this.closed) return;
    this.probe = setTimeout(() => {
      void this.health(Math.max(1000, this.opts.probeIntervalMs * 2)).finally(() => {
        this.probe = undefined;
        if (this.downSince !== undefined) this.scheduleProbe();
      });
    }, this.opts.probeIntervalMs);
    this.probe.unref();
  }

  // The clients connect on their first request; a client whose connection failed is closed and
  // rebuilt on the next call, so a broker that comes back is found without a restart.
  private getProducer(): Promise<KafkaProducer> {
    this.producer ??= Promise.resolve(createKafkaProducer(this.opts.profile, this.clientOptions()));
    return this.producer;
  }

  private getAdmin(): Promise<KafkaAdmin> {
    this.admin ??= Promise.resolve(createKafkaAdmin(this.opts.profile, this.clientOptions()));
    return this.admin;
  }

  private resetProducer(which: Promise<KafkaProducer>): void {
    if (this.producer !== which) return;
    this.producer = undefined;
    which.then((p) => p.close()).catch(() => undefined);
  }

  private resetAdmin(which: Promise<KafkaAdmin>): void {
    if (this.admin !== which) return;
    this.admin = undefined;
    which.then((a) => a.close()).catch(() => undefined);
  }

  /** Sends with acks=all; resolves only once the broker has acknowledged every record. */
  readonly send = async (topicMessages: TopicMessages[]): Promise<RecordMetadata[]> => {
    const current = this.getProducer();
    const messages = topicMessages.flatMap((tm) =>
      tm.messages.map((m) => ({
        topic: tm.topic,
        key: m.key ?? undefined,
        value: m.value,
        partition: m.partition,
      })),
    );
    const sending = current.then(async (p) => {
      const { offsets = [] } = await p.send({ messages });
      return offsets.map((o): RecordMetadata => ({
        topicName: o.topic,
        partition: o.partition,
        errorCode: 0,
        baseOffset: String(o.offset),
      }));
    });
    let settled = false;
    let abandonedBytes = 0;
    sending
      .finally(() => {
        settled = true;
        this.abandoned -= abandonedBytes;
      })
      .catch(() => undefined);
    try {
      const result = await withDeadline(sending, this.opts.sendTimeoutMs, 'Kafka send');
      this.markUp();
      return result;
    } catch (err) {
      this.opts.logger.debug(`Kafka send failed: ${describeKafkaChain(err)}`);
      if (!settled) {
        abandonedBytes = messageBytes(topicMessages);
        this.abandoned += abandonedBytes;
      }
      if (isKafkaUnavailable(err)) {
        this.opts.logger.debug(
          `Kafka send failed (${(err as Error).message}); reconnecting on the next request`,
        );
        this.resetProducer(current);
      }
      this.markDown(err);
      throw err;
    }
  };

  private async withAdmin<T>(what: string, fn: (a: KafkaAdmin) => Promise<T>): Promise<T> {
    const current = this.getAdmin();
    try {
      const result = await withDeadline(current.then(fn), this.opts.metadataTimeoutMs, what);
      this.markUp();
      return result;
    } catch (err) {
      this.opts.logger.debug(`${what} failed: ${describeKafkaChain(err)}`);
      if (isKafkaUnavailable(err)) {
        this.resetAdmin(current);
        this.markDown(err);
      }
      throw err;
    }
  }

  /**
   * Fetches every topic's metadata. Callers share a round trip: one in flight serves every caller
   * whose `notBefore` it started after; the others share one more round trip queued behind it.
   */
  private refresh(notBefore = Number.NEGATIVE_INFINITY): Promise<void> {
    const current = this.refreshing;
    if (current && current.startedAt >= notBefore) return current.done;
    if (current) {
      this.queued ??= current.done
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.refresh();
        });
      return this.queued;
    }
    const startedAt = performance.now();
    const done = this.withAdmin('Kafka metadata', async (a) => {
      const names = await a.listTopics();
      return a.metadata({ topics: names, forceUpdate: true });
    })
      .then((md) => {
        this.topics = new Map(
          [...md.topics].map(([name, t]) => [
            name,
            t.partitions.map((p, partitionId) => ({
              partitionId,
              leader: p.leader,
              replicas: p.replicas,
              isr: p.isr,
            })),
          ]),
        );
        this.fetchedAt = startedAt;
      })
      .finally(() => {
        if (this.refreshing?.done === done) this.refreshing = undefined;
      });
    this.refreshing = { startedAt, done };
    return done;
  }

  /**
   * Partitions of a topic, or undefined when it does not exist. Throws when Kafka cannot be asked.
   * A known topic is answered from the cache; "does not exist" only from metadata asked for after
   * the request arrived, so a topic created a moment ago is never refused.
   */
  async partitions(topic: string): Promise<PartitionMetadata[] | undefined> {
    const arrived = performance.now();
    const known = this.topics.get(topic);
    if (known && arrived - this.fetchedAt < this.opts.metadataMaxAgeMs) return known;
    try {
      await this.refresh(known ? Number.NEGATIVE_INFINITY : arrived);
    } catch (err) {
      // Kafka is down but the topic was known: let the send fail (or succeed, if the broker is back).
      if (known) return known;
      throw err;
    }
    return this.topics.get(topic);
  }

  async listTopics(): Promise<string[]> {
    await this.refresh();
    return [...this.topics.keys()].filter((t) => !t.startsWith('__')).sort();
  }

  async describeTopic(topic: string): Promise<TopicDescription | undefined> {
    await this.refresh();
    const parts = this.topics.get(topic);
    if (!parts) return undefined;
    const configs = await this.withAdmin('Kafka describeConfigs', (a) =>
      a.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
        includeSynonyms: false,
      }),
    );
    const entries = configs[0]?.configs ?? [];
    return {
      name: topic,
      configs: Object.fromEntries(entries.map((e) => [e.name, e.value ?? ''])),
      partitions: [...parts]
        .sort((a, b) => a.partitionId - b.partitionId)
        .map((p) => ({
          partition: p.partitionId,
          leader: p.leader,
          replicas: p.replicas.map((b) => ({
            broker: b,
            leader: b === p.leader,
            in_sync: p.isr.includes(b),
          })),
        })),
    };
  }

  /** A real round trip to the cluster, under a short deadline. `detail` is for the log only. */
  async health(timeoutMs = 3000): Promise<{ ok: boolean; detail: string }> {
    try {
      const current = this.getAdmin();
      const c = await withDeadline(
        current.then((a) => a.metadata({ topics: [], forceUpdate: true })),
        timeoutMs,
        'Kafka health check',
      ).catch((err: unknown) => {
        this.opts.logger.debug(`Kafka health check failed: ${describeKafkaChain(err)}`);
        if (isKafkaUnavailable(err)) this.resetAdmin(current);
        throw err;
      });
      this.markUp();
      return { ok: true, detail: `${c.brokers.size} broker(s), cluster ${c.id}` };
    } catch (err) {
      this.markDown(err);
      return { ok: false, detail: (err as Error).message };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probe) clearTimeout(this.probe);
    this.probe = undefined;
    const p = this.producer;
    const a = this.admin;
    this.producer = undefined;
    this.admin = undefined;
    await Promise.allSettled([p?.then((x) => x.close()), a?.then((x) => x.close())]);
  }
}

/** Key and value bytes of a send (what the producer holds until it ends). */
function messageBytes(topicMessages: TopicMessages[]): number {
  let n = 0;
  for (const tm of topicMessages)
    for (const m of tm.messages) n += byteLength(m.value) + byteLength(m.key) + 32;
  return n;
}

function byteLength(v: Buffer | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}
