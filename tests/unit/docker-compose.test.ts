import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { MINISTACK_SERVICES } from '../../sandbox/s3/ministack.ts';

/** docker-compose.yml keeps each service's data on its named volume. */
const root = path.resolve(import.meta.dirname, '..', '..');
const compose = YAML.parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment?: Record<string, unknown>; volumes?: string[] }>;
};

describe('docker-compose.yml', () => {
  it('Kafka writes its log to the mounted volume', () => {
    const kafka = compose.services.kafka!;
    expect(kafka.volumes).toEqual(['kafka-data:/var/lib/kafka/data']);
    expect(kafka.environment?.KAFKA_LOG_DIRS).toBe('/var/lib/kafka/data');
  });

  it('MiniStack serves the same AWS services as the native sandbox (CloudFormation included)', () => {
    expect(compose.services.ministack!.environment?.SERVICES).toBe(MINISTACK_SERVICES);
  });
});
