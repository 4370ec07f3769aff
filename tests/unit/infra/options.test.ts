import { beforeAll, describe, expect, it } from 'vitest';
import { buildStack, connectorName, connectorProperties, OUTPUTS } from '../../../infra/index.ts';
import { KAFKA_CONNECT_VERSION } from '../../../infra/aws-part.ts';
import { hostProfile, hostServices, hostUserData } from '../../../infra/user-data.ts';
import { profileSchema } from '../../../src/config/schema.ts';
import { checkProfile } from '../../../src/config/rules.ts';
import { execFileSync } from 'node:child_process';
import { loadProfile } from '../../../src/config/index.ts';
import type { Profile } from '../../../src/config/schema.ts';
import { isPinpipeError } from '../../../src/errors.ts';
import { emptyEnv, shippedProfile } from '../../helpers/profile.ts';
import { onlyOf, resourcesOf, synth, type Synthesized } from '../../helpers/infra.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

const PLUGIN = 's3://my-artifacts/plugins/confluentinc-kafka-connect-s3-10.5.13.zip';
const base = shippedProfile('aws');
/** The aws profile with the original's managed sink, MSK Serverless and the source database. */
const managed: Profile = {
  ...base,
  sink: { ...base.sink, flushSize: 500, rotateIntervalMs: 60_000, rotateScheduleIntervalMs: 3_600_000 },
  infra: {
    ...base.infra,
    sink: 'msk-connect',
    connectPluginS3Uri: PLUGIN,
    msk: { ...base.infra.msk, mode: 'serverless' },
    rds: { ...base.infra.rds, enabled: true },
  },
};

describe('infra: the connector properties derived from the sink settings', () => {
  it('maps the profile property by property (Confluent S3 sink, the layout pinpipe sink writes)', () => {
    expect(connectorProperties(base)).toEqual({
      'connector.class': 'io.confluent.connect.s3.S3SinkConnector',
      'tasks.max': '3',
      'topics.regex': '0e7ae8feb921\\.pin|0e7ae8feb921\\.geo|0e7ae8feb921\\.user',
      'topics.dir': 'topics',
      's3.bucket.name': 'user-0e7ae8feb921-bucket',
      's3.region': 'us-east-1',
      'flush.size': '1000',
      'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
      'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
      'partitioner.class': 'io.confluent.connect.storage.partitioner.DefaultPartitioner',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
    });
  });

  it('follows each sink setting: flush size, rotation (with the time zone it needs), topics dir, regex', () => {
    const p: Profile = {
      ...managed,
      region: 'eu-west-2',
      s3: { ...managed.s3, bucket: 'other-bucket', topicsDir: 'raw' },
      sink: { ...managed.sink, topicsRegex: '0e7ae8feb921\\..*' },
    };
    const props = connectorProperties(p);
    expect(props).toMatchObject({
      'flush.size': '500',
      'rotate.interval.ms': '60000',
      'rotate.schedule.interval.ms': '3600000',
      timezone: 'UTC',
      'topics.dir': 'raw',
      's3.bucket.name': 'other-bucket',
      's3.region': 'eu-west-2',
      'topics.regex': '0e7ae8feb921\\..*',
    });
    // the regex is matched against whole topic names, as Kafka Connect does
    const re = new RegExp(`^(?:${connectorProperties(base)['topics.regex']})$`);
    expect(['0e7ae8feb921.pin', '0e7ae8feb921.geo', '0e7ae8feb921.user'].every((t) => re.test(t))).toBe(true);
    expect(['0e7ae8feb921.pins', '0e7ae8feb921Xpin', 'other.pin'].some((t) => re.test(t))).toBe(false);
  });

  it("names the connector so that MSK Connect's group is the profile's sink.groupId", () => {
    expect(connectorName(base)).toBe('pinpipe-0e7ae8feb921-s3-sink');
    expect(`connect-${connectorName(base)}`).toBe(base.sink.groupId);
  });
});

describe('infra: MSK Connect, MSK Serverless and the source database (aws variant)', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synth(managed);
  }, 120_000);

  it('declares the custom plugin from the given zip and the connector with the derived properties', () => {
    expect(onlyOf(s, 'AWS::KafkaConnect::CustomPlugin')).toMatchObject({
      ContentType: 'ZIP',
      Location: {
        S3Location: {
          BucketArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-artifacts']] },
          FileKey: 'plugins/confluentinc-kafka-connect-s3-10.5.13.zip',
        },
      },
    });
    const connector = onlyOf(s, 'AWS::KafkaConnect::Connector');
    expect(connector.ConnectorConfiguration).toEqual(connectorProperties(managed));
    expect(connector).toMatchObject({
      ConnectorName: 'pinpipe-0e7ae8feb921-s3-sink',
      KafkaConnectVersion: KAFKA_CONNECT_VERSION,
      KafkaClusterClientAuthentication: { AuthenticationType: 'IAM' },
      KafkaClusterEncryptionInTransit: { EncryptionType: 'TLS' },
    });
    expect(s.json.Outputs[OUTPUTS.connectorArn]).toBeDefined();
  });

  it('runs only the proxy on the host when MSK Connect sinks', () => {
    expect(hostServices(managed)).toEqual(['proxy']);
    const userData = JSON.stringify(onlyOf(s, 'AWS::EC2::Instance').UserData);
    expect(userData).toContain('systemctl enable --now pinpipe-proxy"');
    expect(userData).not.toContain('pinpipe-sink');
  });

  it('MSK Serverless with IAM instead of the provisioned cluster', () => {
    expect(resourcesOf(s, 'AWS::MSK::Cluster')).toEqual([]);
    expect(onlyOf(s, 'AWS::MSK::ServerlessCluster')).toMatchObject({
      ClusterName: 'pinpipe-0e7ae8feb921',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it("RDS MySQL with the profile's database and port, reachable from the client host only", () => {
    expect(onlyOf(s, 'AWS::RDS::DBInstance')).toMatchObject({
      Engine: 'mysql',
      EngineVersion: '8.0.40',
      DBInstanceClass: 'db.t3.micro',
      DBName: 'pinterest_data',
      Port: '3306',
      StorageEncrypted: true,
    });
    const dbIngress = resourcesOf(s, 'AWS::EC2::SecurityGroupIngress').filter(([id]) =>
      id.startsWith('DatabaseSecurityGroup'),
    );
    expect(dbIngress.map(([, p]) => [p.IpProtocol, p.FromPort, p.ToPort])).toEqual([['tcp', 3306, 3306]]);
    expect(s.json.Outputs[OUTPUTS.databaseHost]).toBeDefined();
  });

  it('cdk-nag AwsSolutions: no finding left that is not acknowledged with a written reason', () => {
    expect(s.openFindings).toEqual([]);
  });
});

describe('infra: an existing VPC, by ids', () => {
  it('declares no VPC and puts brokers, host and load balancer in the given subnets (nothing looked up)', () => {
    const vpc = {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    };
    const s = synth({ ...base, infra: { ...base.infra, vpc, mwaa: { ...base.infra.mwaa, enabled: false } } });
    expect(resourcesOf(s, 'AWS::EC2::VPC')).toEqual([]);
    expect(
      (onlyOf(s, 'AWS::MSK::Cluster').BrokerNodeGroupInfo as { ClientSubnets: unknown }).ClientSubnets,
    ).toEqual(vpc.privateSubnetIds);
    expect(onlyOf(s, 'AWS::EC2::Instance').SubnetId).toBe(vpc.privateSubnetIds[0]);
    for (const [, sg] of resourcesOf(s, 'AWS::EC2::SecurityGroup')) expect(sg.VpcId).toBe(vpc.vpcId);
    expect(resourcesOf(s, 'AWS::MWAA::Environment')).toEqual([]);
    expect(s.openFindings).toEqual([]);
  }, 60_000);
});

describe("infra: the client host's user data", () => {
  const refs = {
    bootstrapBrokers: 'b-1.x.kafka.us-east-1.amazonaws.com:9098,b-2.x.kafka.us-east-1.amazonaws.com:9098',
    proxyUrl: 'http://internal-nlb.elb.us-east-1.amazonaws.com:8082',
    apiKeySecretArn:
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:pinpipe/0e7ae8feb921/proxy-api-key-AbCdEf',
    region: 'us-east-1',
  };

  it('writes a host profile that the profile schema and rules accept, with no stored password', () => {
    const text = YAML.stringify(hostProfile(base));
    const parsed = profileSchema.parse(YAML.parse(text));
    expect(checkProfile(parsed).errors).toEqual([]);
    expect(parsed.proxy.host).toBe('0.0.0.0');
    expect(parsed.mysql.password).toBeUndefined();
    expect(text).not.toMatch(/password:/);
  });

  it('is a bash script without syntax errors that never holds the API key itself', () => {
    const script = ['#!/bin/bash', ...hostUserData(base, refs)].join('\n');
    execFileSync('bash', ['-n'], { input: script });
    expect(script).toContain(`PINPIPE_KAFKA__BROKERS=[${refs.bootstrapBrokers}]`);
    expect(script).toContain(`PINPIPE_PROXY__URL=${refs.proxyUrl}`);
    expect(script).toContain('export PINPIPE_PROXY_API_KEY="$(');
    expect(script).not.toMatch(/PINPIPE_PROXY_API_KEY=[A-Za-z0-9]/);
  });
});

describe('infra: bad input stops before anything is declared, saying what to set', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-infra-'));
  const load = (patch: (raw: Record<string, unknown>) => void) => {
    const raw = YAML.parse(
      fs.readFileSync(path.join(import.meta.dirname, '../../../profiles/aws.yaml'), 'utf8'),
    );
    patch(raw);
    const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, YAML.stringify(raw));
    return () => loadProfile(file, emptyEnv());
  };
  const message = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(isPinpipeError(err, 'CONFIG_INVALID'), String(err)).toBe(true);
      return (err as Error).message;
    }
    throw new Error('expected CONFIG_INVALID');
  };

  it('a profile without region or pipelineId', () => {
    expect(message(load((r) => delete r.region))).toMatch(/region: required: the AWS region/);
    expect(message(load((r) => delete r.pipelineId))).toMatch(/pipelineId/);
  });

  it('MSK Connect without the plugin location', () => {
    expect(message(load((r) => ((r.infra as Record<string, unknown>).sink = 'msk-connect')))).toMatch(
      /infra\.connectPluginS3Uri: the MSK Connect sink needs the Confluent S3 sink connector zip/,
    );
  });

  it('a region that is not an AWS region, and a host with nothing to install pinpipe from (aws variant)', () => {
    const p: Profile = {
      ...base,
      region: 'moon-base',
      infra: { ...base.infra, host: { ...base.infra.host } },
    };
    delete p.infra.host.pinpipeSource;
    const text = message(() => buildStack(p));
    expect(text).toMatch(/region: "moon-base" is not an AWS region; set region to one such as us-east-1/);
    expect(text).toMatch(/infra\.host\.pinpipeSource: .*set it to a git URL/);
    // the sandbox variant needs neither (MiniStack takes any region)
    expect(() => buildStack(p, { variant: 'sandbox' })).not.toThrow();
  });
});
