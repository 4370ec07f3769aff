import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { OUTPUTS } from '../../../infra/outputs.ts';
import {
  applyFields,
  checkFields,
  fieldsFromOutputs,
  INFO_OUTPUTS,
  outputNotes,
  OUTPUT_FIELDS,
} from '../../../src/stack/index.ts';
import { shippedProfile, testProfile } from '../../helpers/profile.ts';

/** Outputs as the CDK app's stack names them (the AWS variant: brokers, cluster, MWAA). */
const AWS_OUTPUTS = {
  PipelineId: 'a1b2c3d4e5f6',
  Region: 'eu-west-1',
  BucketName: 'user-a1b2c3d4e5f6-bucket',
  BootstrapBrokers:
    'b-1.pp.x.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.pp.x.c2.kafka.eu-west-1.amazonaws.com:9098',
  RestApiId: 'k3j4h5',
  RestApiName: 'pinpipe-a1b2c3d4e5f6',
  StageName: 'test',
  InvokeUrl: 'https://k3j4h5.execute-api.eu-west-1.amazonaws.com/test/',
  ProxyUrl: 'http://ec2-1-2-3-4.eu-west-1.compute.amazonaws.com:8082',
  ProxyApiKeySecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pinpipe-proxy-api-key-AbCdEf',
  ClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/pinpipe-a1b2c3d4e5f6/0f1e2d3c-1',
  KafkaClusterName: 'pinpipe-a1b2c3d4e5f6',
  MwaaWebUrl: 'https://abc.c2.airflow.eu-west-1.on.aws',
  ClientHostInstanceId: 'i-0123456789abcdef0',
  DatabaseHost: 'pinpipe-db.abc.eu-west-1.rds.amazonaws.com',
  DatabasePort: '3306',
  DatabaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf',
};

describe('profile fields from a stack', () => {
  it('maps each output to its field; the AWS invoke URL from RestApiId, region and stage', () => {
    const fields = fieldsFromOutputs(shippedProfile('aws'), AWS_OUTPUTS);
    expect(Object.fromEntries(fields.map((f) => [f.path.join('.'), f.value]))).toEqual({
      pipelineId: 'a1b2c3d4e5f6',
      region: 'eu-west-1',
      's3.bucket': 'user-a1b2c3d4e5f6-bucket',
      'kafka.brokers': [
        'b-1.pp.x.c2.kafka.eu-west-1.amazonaws.com:9098',
        'b-2.pp.x.c2.kafka.eu-west-1.amazonaws.com:9098',
      ],
      'apiGateway.restApiName': 'pinpipe-a1b2c3d4e5f6',
      'apiGateway.stage': 'test',
      'proxy.url': 'http://ec2-1-2-3-4.eu-west-1.compute.amazonaws.com:8082',
      'mysql.host': 'pinpipe-db.abc.eu-west-1.rds.amazonaws.com',
      'mysql.port': 3306,
      'apiGateway.invokeUrl': 'https://k3j4h5.execute-api.eu-west-1.amazonaws.com/test',
    });
    expect(fields.find((f) => f.path.join('.') === 'apiGateway.invokeUrl')?.from).toBe(
      'RestApiId, StageName',
    );
  });

  it('on the sandbox the invoke URL is the emulator’s, not the AWS domain the stack outputs', () => {
    const local = testProfile();
    const fields = fieldsFromOutputs(local, {
      RestApiId: 'e6d64282',
      StageName: 'test',
      InvokeUrl: 'https://e6d64282.execute-api.us-east-1.amazonaws.com/test/',
    });
    expect(fields.map((f) => [f.path.join('.'), f.value])).toEqual([
      ['apiGateway.stage', 'test'],
      ['apiGateway.invokeUrl', `${local.aws.endpoint}/restapis/e6d64282/test/_user_request_`],
    ]);
  });

  it('takes InvokeUrl (without its trailing slash) when there is no RestApiId; skips missing and empty outputs', () => {
    const fields = fieldsFromOutputs(shippedProfile('aws'), {
      InvokeUrl: 'https://x.execute-api.us-east-1.amazonaws.com/test/',
      BucketName: '',
    });
    expect(fields).toEqual([
      {
        path: ['apiGateway', 'invokeUrl'],
        value: 'https://x.execute-api.us-east-1.amazonaws.com/test',
        from: 'InvokeUrl',
      },
    ]);
    expect(fieldsFromOutputs(shippedProfile('aws'), { Unrelated: 'x' })).toEqual([]);
  });

  it('check: equal fields are ok (a trailing slash on the invoke URL is no difference), others name both values', () => {
    const base = shippedProfile('aws');
    const fields = fieldsFromOutputs(base, AWS_OUTPUTS);
    const written = YAML.parse(applyFields(YAML.stringify(base), fields));
    const same = checkFields(
      { ...written, apiGateway: { ...written.apiGateway, invokeUrl: `${written.apiGateway.invokeUrl}/` } },
      fields,
    );
    expect(same.every((c) => c.ok)).toBe(true);
    const stale = checkFields(base, fields).filter((c) => !c.ok);
    expect(stale.map((c) => c.path)).toEqual([
      'pipelineId',
      'region',
      's3.bucket',
      'kafka.brokers',
      'apiGateway.restApiName',
      'proxy.url',
      'mysql.host',
      'apiGateway.invokeUrl',
    ]);
    expect(stale.find((c) => c.path === 's3.bucket')).toMatchObject({
      actual: 'user-0e7ae8feb921-bucket',
      expected: 'user-a1b2c3d4e5f6-bucket',
      from: 'BucketName',
    });
    expect(stale.find((c) => c.path === 'apiGateway.invokeUrl')?.actual).toBeUndefined();
  });

  it('writes the fields into the base YAML, keeping its comments and other fields, and sets the name', () => {
    const text = [
      '# my comment',
      'name: aws',
      'pipelineId: 0e7ae8feb921 # the id',
      's3:',
      '  bucket: old-bucket',
      '  topicsDir: topics',
      'apiGateway:',
      '  restApiName: old',
      'kafka:',
      '  brokers: [a:9098]',
      '',
    ].join('\n');
    const out = applyFields(text, fieldsFromOutputs(shippedProfile('aws'), AWS_OUTPUTS), 'my-aws');
    expect(out).toContain('# my comment');
    expect(out).toContain('# the id');
    const doc = YAML.parse(out);
    expect(doc.name).toBe('my-aws');
    expect(doc.pipelineId).toBe('a1b2c3d4e5f6');
    expect(doc.s3).toEqual({ bucket: 'user-a1b2c3d4e5f6-bucket', topicsDir: 'topics' });
    expect(doc.kafka.brokers).toHaveLength(2);
    expect(doc.apiGateway).toEqual({
      restApiName: 'pinpipe-a1b2c3d4e5f6',
      stage: 'test',
      invokeUrl: 'https://k3j4h5.execute-api.eu-west-1.amazonaws.com/test',
    });
    expect(doc.proxy).toEqual({ url: 'http://ec2-1-2-3-4.eu-west-1.compute.amazonaws.com:8082' });
  });

  it('notes say which secret holds the API key and the database password and how to export them, never a value', () => {
    const read = (arn: string, field: string, endpoint = '') =>
      `aws secretsmanager get-secret-value${endpoint} --secret-id ${arn} --query SecretString --output text | ` +
      `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).${field}'`;
    expect(outputNotes(shippedProfile('aws'), AWS_OUTPUTS)).toEqual([
      `the proxy's API key is in Secrets Manager: export PINPIPE_PROXY_API_KEY="$(${read(AWS_OUTPUTS.ProxyApiKeySecretArn, 'apiKey')})"`,
      `the database password is in Secrets Manager: export PINPIPE_MYSQL_PASSWORD="$(${read(AWS_OUTPUTS.DatabaseSecretArn, 'password')})" (its user is the field "username")`,
      'MSK cluster pinpipe-a1b2c3d4e5f6: pinpipe doctor --print-policy --cluster pinpipe-a1b2c3d4e5f6',
      'client host i-0123456789abcdef0: aws ssm start-session --target i-0123456789abcdef0',
      `Airflow (MWAA) web UI: ${AWS_OUTPUTS.MwaaWebUrl}`,
    ]);
    const local = testProfile();
    expect(outputNotes(local, { ProxyApiKeySecretArn: 'arn:x' })).toEqual([
      `the proxy's API key is in Secrets Manager: export PINPIPE_PROXY_API_KEY="$(${read('arn:x', 'apiKey', ` --endpoint-url ${local.aws.endpoint}`)})" and set proxy.apiKeyEnv to that variable`,
    ]);
  });

  it('reads only outputs the CDK app declares (infra/outputs.ts)', () => {
    const declared = new Set<string>(Object.values(OUTPUTS));
    const read = [...OUTPUT_FIELDS.map((r) => r.output), ...INFO_OUTPUTS, 'RestApiId', 'InvokeUrl'];
    expect(read.filter((o) => !declared.has(o))).toEqual([]);
  });
});
