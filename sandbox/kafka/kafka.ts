import fs from 'node:fs';
import path from 'node:path';
import { type Profile, topicNames } from '../../src/config/index.ts';
import { createKafkaAdmin, type KafkaAdmin } from '../../src/clients/kafka.ts';
import { defineService, portOf, type PortClaim, type SandboxService } from '../lib/service.ts';
import { formatStorage, jvmArgs, LOG4J, serverProperties } from './config.ts';
import { requireJava, resolveKafkaJars } from './install.ts';
import { createTopicsReady } from '../../src/clients/kafka-topics.ts';

export { KAFKA_VERSION, kafkaLibs, requireJava } from './install.ts';

/** Single-node KRaft broker + controller under .sandbox/kafka, with the profile's topics. */
export function kafkaService(profile: Profile, say: (msg: string) => void, cacheDir: string): SandboxService {
  const dir = path.join(profile.sandbox.dir, 'kafka');
  const dataDir = path.join(dir, 'data');
  const props = path.join(dir, 'server.properties');
  const port = portOf(profile.kafka.brokers[0]!);
  let java: string | undefined;
  let classpath: string | undefined;

  // The profile's own client factory, with short timeouts and no retries for health checks.
  const admin = () =>
    createKafkaAdmin(profile, {
      clientId: 'pinpipe-sandbox',
      bootstrapBrokers: [`127.0.0.1:${port}`],
      connectTimeout: 1500,
      requestTimeout: 5000,
      retries: 0,
    });

  return defineService(
    {
      name: 'kafka',
      title: 'Kafka',
      dir,
      pidFile: path.join(dir, 'kafka.pid'),
      logFile: path.join(dir, 'kafka.log'),
      needle: props,
      port,
      ports: kafkaPorts(profile, port),
      healthTimeoutMs: 5000,
      readyTimeoutMs: 3000,
      stopTimeoutMs: 30000,
      async prepare() {
        java = requireJava(say);
        classpath = resolveKafkaJars(cacheDir, say);
      },
      launch() {
        fs.writeFileSync(props, serverProperties(profile, dataDir));
        const log4j = path.join(dir, 'log4j2.properties');
        fs.writeFileSync(log4j, LOG4J);
        const jvm = jvmArgs(profile, log4j, classpath!);
        formatStorage(java!, jvm, props, dataDir, say);
        return { cmd: java!, args: [...jvm, 'kafka.Kafka', props] };
      },
      ensureResources: () => ensureTopics(admin(), profile, say),
      probe() {
        const a = admin();
        return {
          what: 'Kafka metadata request',
          async run() {
            const c = await a.metadata({ topics: [], forceUpdate: true });
            if (c.brokers.size === 0) throw new Error('no broker in metadata');
          },
          release: () => a.close(),
        };
      },
    },
    profile,
    say,
  );
}

/** The broker, controller and (when enabled) SASL listener ports. */
function kafkaPorts(profile: Profile, port: number): PortClaim[] {
  const ports: PortClaim[] = [
    { port, what: 'the sandbox Kafka broker', fix: 'set kafka.brokers in the profile to another port' },
    {
      port: profile.sandbox.kafkaControllerPort,
      what: 'the sandbox Kafka controller',
      fix: 'set sandbox.kafkaControllerPort (PINPIPE_SANDBOX__KAFKA_CONTROLLER_PORT)',
    },
  ];
  if (profile.sandbox.kafkaSaslPort > 0) {
    ports.push({
      port: profile.sandbox.kafkaSaslPort,
      what: 'the sandbox Kafka SASL listener',
      fix: 'set sandbox.kafkaSaslPort (PINPIPE_SANDBOX__KAFKA_SASL_PORT, 0 disables it)',
    });
  }

  return ports;
}

/** Creates the profile's three topics that do not exist yet. */
async function ensureTopics(a: KafkaAdmin, profile: Profile, say: (msg: string) => void): Promise<void> {
  try {
    const existing = new Set(await a.listTopics());
    const wanted = Object.values(topicNames(profile)).filter((t) => !existing.has(t));
    if (wanted.length > 0) {
      await createTopicsReady(a, {
        topics: wanted.map((topic) => ({
          topic,
          numPartitions: profile.kafka.partitions,
          replicationFactor: profile.kafka.replicationFactor,
        })),
      });
      say(`created topics ${wanted.join(', ')} (${profile.kafka.partitions} partitions each)`);
    }
  } finally {
    await a.close();
  }
}
