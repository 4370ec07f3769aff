import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import type { Profile } from '../../src/config/index.ts';
import { PinpipeError } from '../../src/errors.ts';
import { portOf } from '../lib/service.ts';

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

/** Broker logging: warnings, and the line that says the server started. */
export const LOG4J = `rootLogger.level=INFO
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

/** The JVM's options for the broker and its tools: heap, GC, logging, and the jars' classpath. */
export function jvmArgs(profile: Profile, log4j: string, classpath: string): string[] {
  return [
    `-Xmx${profile.sandbox.kafkaHeapMb}m`,
    `-Xms${profile.sandbox.kafkaHeapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:ActiveProcessorCount=2',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j}`,
    '-cp',
    classpath,
  ];
}

/**
 * A fresh Kafka cluster id: 16 random bytes in URL-safe base64, what `StorageTool random-uuid`
 * prints. Like Kafka's own Uuid.randomUuid(), an id starting with "-" is drawn again: StorageTool
 * would read it as an option ("argument --cluster-id/-t: expected one argument"), about one
 * start in 64.
 */
export function newClusterId(uuid: () => string = randomUUID): string {
  for (;;) {
    const id = Buffer.from(uuid().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Formats the KRaft storage in an empty data folder (once), with a fresh cluster id. */
export function formatStorage(
  java: string,
  jvm: string[],
  props: string,
  dataDir: string,
  say: (m: string) => void,
): void {
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
  say(`formatting Kafka storage in ${dataDir}`);
  const clusterId = newClusterId();
  const r = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new PinpipeError(
      'SANDBOX_START_FAILED',
      `Formatting Kafka storage failed: ${r.stderr.trim().slice(-800)}`,
    );
  }
}
