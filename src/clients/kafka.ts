import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Profile } from '../config/schema.ts';
import { kafkaSecurityConfig } from './kafka-auth.ts';
import { patchKafkajsRequestQueue } from './kafkajs-timer.ts';

patchKafkajsRequestQueue();

/**
 * The one place that builds Kafka clients (proxy, sink, emulator, admin, tests) from a profile.
 * Security (TLS, SASL / MSK IAM) comes from kafka-auth.ts, so stages never differ by profile.
 */
export function kafkaConfig(profile: Profile, overrides: Partial<KafkaConfig> = {}): KafkaConfig {
  const security = kafkaSecurityConfig(profile);
  return {
    clientId: profile.kafka.clientId,
    brokers: profile.kafka.brokers,
    connectionTimeout: profile.kafka.connectionTimeoutMs,
    requestTimeout: 30000,
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    ...security,
    ...overrides,
  };
}

export function createKafka(profile: Profile, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka(kafkaConfig(profile, overrides));
}

export type { SASLOptions };
