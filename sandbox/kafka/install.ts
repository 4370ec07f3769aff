import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PinpipeError } from '../../src/errors.ts';
import { readEnv } from '../../src/config/index.ts';
import { javaMajor, requireTool } from '../lib/tools.ts';

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
