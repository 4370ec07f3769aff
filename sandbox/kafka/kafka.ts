import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Profile } from '../../src/config/schema.ts';
import { topicNames } from '../../src/config/schema.ts';
import { PinpipeError, describeError } from '../../src/errors.ts';
import { readEnv } from '../../src/config/env.ts';
import { createKafka } from '../../src/clients/kafka.ts';
import {
  assertPortFree,
  removePidRecord,
  runningPid,
  runningProcess,
  spawnService,
  stopProcess,
  waitUntil,
  withTimeout,
} from '../lib/proc.ts';
import { javaMajor, requireTool } from '../lib/tools.ts';
import { portOf, type SandboxService, type ServiceHealth } from '../lib/service.ts';

/** Pinned: the version in sandbox/kafka/pom.xml. */
export const KAFKA_VERSION = '4.1.1';
const POM = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pom.xml');

/** The folder of Maven-resolved jars (broker, StorageTool, ProducerPerformance). */
export function kafkaLibs(cacheDir: string): string {
  return path.join(cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
}

/** Resolves the Kafka jars from Maven Central into the cache (once). Returns the classpath glob. */
export function resolveKafkaJars(cacheDir: string, say: (m: string) => void): string {
  const libs = kafkaLibs(cacheDir);
  const marker = path.join(libs, '.complete');
  if (!fs.existsSync(marker)) {
    const mvn = requireTool('mvn', 'Resolving the Kafka jars', { deb: 'maven', brew: 'maven' }, say, true);
    say(`resolving Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libs}`);
    fs.rmSync(libs, { recursive: true, force: true });
    const r = spawnSync(
      mvn,
      ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (r.status !== 0) {
      throw new PinpipeError(
        'SANDBOX_PREREQ_MISSING',
        `Maven could not resolve the Kafka jars: ${(r.stdout + r.stderr).trim().split('\n').slice(-8).join('\n')}\n` +
          'Check access to Maven Central (or your ~/.m2/settings.xml mirror) and retry.',
      );
    }
    fs.writeFileSync(marker, `${KAFKA_VERSION}\n`);
  }
  return `${libs}/*`;
}

export function requireJava(say: (m: string) => void, javaHome = readEnv().javaHome): string {
  let java: string;
  if (javaHome) {
    java = path.join(javaHome, 'bin', 'java');
    if (!fs.existsSync(java)) {
      throw new PinpipeError(
        'SANDBOX_PREREQ_MISSING',
        `JAVA_HOME is ${javaHome} but ${java} does not exist. Point JAVA_HOME at a Java 17+ install or unset it.`,
      );
    }
  } else {
    java = requireTool('java', 'Apache Kafka', { deb: 'openjdk-17-jre-headless', brew: 'openjdk@17' }, say);
  }
  const major = javaMajor(java);
  if (major !== undefined && major < 17) {
    throw new PinpipeError(
      'SANDBOX_PREREQ_MISSING',
      `Apache Kafka ${KAFKA_VERSION} needs Java 17 or newer; found Java ${major} at ${java}. Install openjdk-17.`,
    );
  }
  return java;
}

/**
 * Single-node KRaft (combined broker + controller) on 127.0.0.1. A second listener,
 * SASL_PLAINTEXT + OAUTHBEARER with Kafka's unsecured JWS validator, rehearses the secured path
 * (`profiles/local-secure.yaml`); it requires the scope "pinpipe" so a token without it is refused.
 */
export function serverProperties(profile: Profile, dataDir: string): string {
  const port = portOf(profile.kafka.brokers[0]!);
  const ctl = profile.sandbox.kafkaControllerPort;
  const sasl = profile.sandbox.kafkaSaslPort;
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`, `CONTROLLER://127.0.0.1:${ctl}`];
  const advertised = [`PLAINTEXT://127.0.0.1:${port}`];
  const protocolMap = ['PLAINTEXT:PLAINTEXT', 'CONTROLLER:PLAINTEXT'];
  const extra: string[] = [];
  if (sasl > 0) {
    listeners.push(`SASL_PLAINTEXT://127.0.0.1:${sasl}`);
    advertised.push(`SASL_PLAINTEXT://127.0.0.1:${sasl}`);
    protocolMap.push('SASL_PLAINTEXT:SASL_PLAINTEXT');
    extra.push(
      'sasl.enabled.mechanisms=OAUTHBEARER',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms=OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="broker" unsecuredValidatorRequiredScope="pinpipe";',
    );
  }
  return [
    '# Written by sandbox/kafka/kafka.ts on every start; edit the profile, not this file.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ctl}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${advertised.join(',')}`,
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${protocolMap.join(',')}`,
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    `num.partitions=${profile.kafka.partitions}`,
    'default.replication.factor=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
    'num.network.threads=2',
    'num.io.threads=4',
    ...extra,
    '',
  ].join('\n');
}

const LOG4J = `rootLogger.level=INFO
rootLogger.appenderRef.stdout.ref=STDOUT
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.started.name=kafka.server.KafkaRaftServer
logger.started.level=INFO
`;

export function kafkaService(profile: Profile, say: (msg: string) => void, cacheDir: string): SandboxService {
  const dir = path.join(profile.sandbox.dir, 'kafka');
  const dataDir = path.join(dir, 'data');
  const pidFile = path.join(dir, 'kafka.pid');
  // What the service's command line contains: how a pid file from before start times were kept is checked.
  const needle = path.join(dir, 'server.properties');
  const pidOpts = { onStale: say };
  const logFile = path.join(dir, 'kafka.log');
  const port = portOf(profile.kafka.brokers[0]!);
  const endpoint = `127.0.0.1:${port}`;
  let java: string | undefined;
  let classpath: string | undefined;

  // The profile's own client factory, with short timeouts and no retries for health checks.
  const admin = () =>
    createKafka(profile, {
      clientId: 'pinpipe-sandbox',
      brokers: [endpoint],
      connectionTimeout: 1500,
      requestTimeout: 5000,
      retry: { retries: 0 },
    }).admin();

  return {
    name: 'kafka',
    endpoint,
    logFile,
    async prepare() {
      java = requireJava(say);
      classpath = resolveKafkaJars(cacheDir, say);
    },
    runningPid: () => runningPid(pidFile, needle, pidOpts),
    async start() {
      if (!java || !classpath) await this.prepare();
      await assertPortFree(
        port,
        'the sandbox Kafka broker',
        'set kafka.brokers in the profile to another port',
      );
      await assertPortFree(
        profile.sandbox.kafkaControllerPort,
        'the sandbox Kafka controller',
        'set sandbox.kafkaControllerPort (PINPIPE_SANDBOX__KAFKA_CONTROLLER_PORT)',
      );
      if (profile.sandbox.kafkaSaslPort > 0) {
        await assertPortFree(
          profile.sandbox.kafkaSaslPort,
          'the sandbox Kafka SASL listener',
          'set sandbox.kafkaSaslPort (PINPIPE_SANDBOX__KAFKA_SASL_PORT, 0 disables it)',
        );
      }
      fs.mkdirSync(dir, { recursive: true });
      const props = path.join(dir, 'server.properties');
      fs.writeFileSync(props, serverProperties(profile, dataDir));
      const log4j = path.join(dir, 'log4j2.properties');
      fs.writeFileSync(log4j, LOG4J);
      const jvm = [
        `-Xmx${profile.sandbox.kafkaHeapMb}m`,
        `-Xms${profile.sandbox.kafkaHeapMb}m`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:ActiveProcessorCount=2',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4j}`,
        '-cp',
        classpath!,
      ];
      if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
        say(`formatting Kafka storage in ${dataDir}`);
        // Kafka cluster ids are 16 random bytes in URL-safe base64 (what `StorageTool random-uuid` prints).
        const clusterId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
        const r = spawnSync(
          java!,
          [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
          {
            encoding: 'utf8',
          },
        );
        if (r.status !== 0) {
          fs.rmSync(dataDir, { recursive: true, force: true });
          throw new PinpipeError(
            'SANDBOX_START_FAILED',
            `Formatting Kafka storage failed: ${r.stderr.trim().slice(-800)}`,
          );
        }
      }
      const pid = spawnService(java!, [...jvm, 'kafka.Kafka', props], { logFile, pidFile });
      await waitUntil('Kafka', () => this.health(3000), {
        timeoutMs: profile.sandbox.startTimeoutSec * 1000,
        pid,
        logFile,
      });
    },
    async ensureResources() {
      const a = admin();
      await a.connect();
      try {
        const existing = new Set(await a.listTopics());
        const wanted = Object.values(topicNames(profile)).filter((t) => !existing.has(t));
        if (wanted.length > 0) {
          await a.createTopics({
            waitForLeaders: true,
            topics: wanted.map((topic) => ({
              topic,
              numPartitions: profile.kafka.partitions,
              replicationFactor: profile.kafka.replicationFactor,
            })),
          });
          say(`created topics ${wanted.join(', ')} (${profile.kafka.partitions} partitions each)`);
        }
      } finally {
        await a.disconnect();
      }
    },
    async health(timeoutMs = 5000): Promise<ServiceHealth> {
      const pid = runningPid(pidFile, needle, pidOpts);
      const a = admin();
      try {
        await withTimeout(timeoutMs, 'Kafka metadata request', async () => {
          await a.connect();
          const c = await a.describeCluster();
          if (c.brokers.length === 0) throw new Error('no broker in metadata');
        });
        return { ok: true, endpoint, pid };
      } catch (err) {
        return { ok: false, endpoint, pid, detail: describeError(err) };
      } finally {
        await a.disconnect().catch(() => {});
      }
    },
    async stop() {
      const proc = runningProcess(pidFile, needle, pidOpts);
      if (proc === undefined) return false;
      await stopProcess(proc, 30000, { name: 'Kafka' });
      removePidRecord(pidFile);
      return true;
    },
    wipe() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
