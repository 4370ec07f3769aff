import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTPUTS, clusterName, infraVariant, synthTemplate } from '../../../infra/index.ts';
import { MSK_IAM_PORT, airflowRequirements } from '../../../infra/aws-part.ts';
import { ACCEPTED_FINDINGS } from '../../../infra/nag.ts';
import { iamPolicy } from '../../../src/doctor/iam-policy.ts';
import { childEnvWithoutOverrides, shippedProfile } from '../../helpers/profile.ts';
import { onlyOf, resolveIntrinsics, resourcesOf, synth, type Synthesized } from '../../helpers/infra.ts';
import { runCli } from '../../helpers/run.ts';

// One synthesis of the stack for profiles/aws.yaml (the aws variant, pinpipe's sink on the host).
const profile = shippedProfile('aws');
let s: Synthesized;
beforeAll(() => {
  s = synth(profile);
}, 120_000);

const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });
const idOf = (type: string, prefix: string) => {
  const found = resourcesOf(s, type).filter(([id]) => id.startsWith(prefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0]![0];
};

describe('infra: the stack for profiles/aws.yaml (aws variant)', () => {
  it('is the aws variant of the aws profile, and the sandbox variant of the local profile', () => {
    expect(infraVariant(profile)).toBe('aws');
    expect(infraVariant(shippedProfile('local'))).toBe('sandbox');
  });

  it('the pipeline bucket: named from the profile, public access blocked, encrypted, retained, TLS only', () => {
    const id = idOf('AWS::S3::Bucket', 'PipelineBucket');
    expect(s.json.Resources[id]).toEqual({
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketName: 'user-0e7ae8feb921-bucket',
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: [getAtt(id, 'Arn'), { 'Fn::Join': ['', [getAtt(id, 'Arn'), '/*']] }],
          },
        ],
      },
    });
  });

  it('MSK: provisioned, IAM access control only, TLS, topic auto-creation off through its configuration', () => {
    expect(onlyOf(s, 'AWS::MSK::Configuration')).toEqual({
      Name: 'pinpipe-0e7ae8feb921-config',
      Description: 'pinpipe: topics are created by pinpipe provision, never on first use',
      KafkaVersionsList: ['3.6.0'],
      ServerProperties: 'auto.create.topics.enable=false\n',
    });
    const cluster = onlyOf(s, 'AWS::MSK::Cluster');
    expect(cluster).toMatchObject({
      ClusterName: clusterName(profile),
      KafkaVersion: '3.6.0',
      NumberOfBrokerNodes: 2,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      ConfigurationInfo: {
        Arn: getAtt('KafkaConfiguration', 'Arn'),
        Revision: getAtt('KafkaConfiguration', 'LatestRevision.Revision'),
      },
    });
    expect(cluster.BrokerNodeGroupInfo).toMatchObject({
      InstanceType: 'kafka.t3.small',
      StorageInfo: { EBSStorageInfo: { VolumeSize: 10 } },
    });
    expect(resourcesOf(s, 'AWS::MSK::ServerlessCluster')).toEqual([]);
  });

  it('security groups: host → brokers on 9098, load balancer → proxy port, and no other ingress', () => {
    const brokers = idOf('AWS::EC2::SecurityGroup', 'BrokerSecurityGroup');
    const host = idOf('AWS::EC2::SecurityGroup', 'ClientHostSecurityGroup');
    const nlb = idOf('AWS::EC2::SecurityGroup', 'ProxyLoadBalancerSecurityGroup');
    const airflow = idOf('AWS::EC2::SecurityGroup', 'AirflowSecurityGroup');
    const ingress = resourcesOf(s, 'AWS::EC2::SecurityGroupIngress').map(([, p]) => ({
      to: p.GroupId,
      from: p.SourceSecurityGroupId,
      ports: `${p.IpProtocol}:${String(p.FromPort)}-${String(p.ToPort)}`,
    }));
    expect(ingress).toEqual([
      {
        to: getAtt(brokers, 'GroupId'),
        from: getAtt(host, 'GroupId'),
        ports: `tcp:${MSK_IAM_PORT}-${MSK_IAM_PORT}`,
      },
      { to: getAtt(host, 'GroupId'), from: getAtt(nlb, 'GroupId'), ports: 'tcp:8082-8082' },
      // MWAA requires its security group to admit itself
      { to: getAtt(airflow, 'GroupId'), from: getAtt(airflow, 'GroupId'), ports: '-1:undefined-undefined' },
    ]);
    // no security group carries an inline ingress rule (no CIDR is ever open inbound)
    for (const [, p] of resourcesOf(s, 'AWS::EC2::SecurityGroup'))
      expect(p.SecurityGroupIngress).toBeUndefined();
  });

  it('the client host: Amazon Linux 2023, IMDSv2, encrypted disk, the host role, user data running the services', () => {
    const instance = onlyOf(s, 'AWS::EC2::Instance');
    expect(instance).toMatchObject({
      InstanceType: 't3.small',
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeSize: 16 } }],
      Monitoring: true,
    });
    s.template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required' } },
    });
    const userData = JSON.stringify(instance.UserData);
    for (const piece of [
      'https://nodejs.org/dist/v22.12.0/node-v22.12.0-linux-x64.tar.xz',
      "npm install -g --prefix /opt/pinpipe 'git+https://github.com/your-org/pinpipe.git#main'",
      'ExecStart=/usr/local/bin/pinpipe-service proxy',
      'ExecStart=/usr/local/bin/pinpipe-service sink',
      'systemctl enable --now pinpipe-proxy pinpipe-sink',
      'PINPIPE_KAFKA__BROKERS=[',
      'PINPIPE_PROXY__URL=http://',
    ]) {
      expect(userData).toContain(piece);
    }
  });

  it("the client host's pipeline policy equals pinpipe doctor --print-policy for the same profile", async () => {
    const printed = await runCli(
      ['doctor', '--profile', 'aws', '--print-policy', '--cluster', clusterName(profile)],
      {
        env: childEnvWithoutOverrides(),
        timeoutMs: 60_000,
      },
    );
    expect(printed.code, printed.stderr).toBe(0);
    const policy = resourcesOf(s, 'AWS::IAM::Policy').find(([id]) => id === 'PipelinePolicy')![1];
    expect(policy.Roles).toEqual([{ Ref: idOf('AWS::IAM::Role', 'ClientHostRole') }]);
    const document = resolveIntrinsics(policy.PolicyDocument, { 'AWS::AccountId': 'ACCOUNT_ID' });
    expect(document).toEqual(JSON.parse(printed.stdout));
    expect(document).toEqual(iamPolicy(profile, { clusterName: clusterName(profile) }));
  });

  it('API Gateway: REST API named by the profile, {proxy+} ANY HTTP proxy through the VPC link, stage test', () => {
    const api = idOf('AWS::ApiGateway::RestApi', 'RestApi');
    expect(onlyOf(s, 'AWS::ApiGateway::RestApi')).toEqual({
      Name: 'pinpipe-0e7ae8feb921',
      Description: 'pinpipe: API Gateway in front of the Kafka REST proxy (user posting emulation)',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    const resource = idOf('AWS::ApiGateway::Resource', 'RestApiproxy');
    expect(onlyOf(s, 'AWS::ApiGateway::Resource')).toEqual({
      ParentId: getAtt(api, 'RootResourceId'),
      PathPart: '{proxy+}',
      RestApiId: { Ref: api },
    });
    const nlb = idOf('AWS::ElasticLoadBalancingV2::LoadBalancer', 'ProxyLoadBalancer');
    expect(onlyOf(s, 'AWS::ApiGateway::Method')).toEqual({
      ApiKeyRequired: true,
      AuthorizationType: 'NONE',
      HttpMethod: 'ANY',
      RequestParameters: { 'method.request.path.proxy': true },
      ResourceId: { Ref: resource },
      RestApiId: { Ref: api },
      Integration: {
        Type: 'HTTP_PROXY',
        IntegrationHttpMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: { Ref: idOf('AWS::ApiGateway::VpcLink', 'ProxyVpcLink') },
        RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        Uri: { 'Fn::Join': ['', ['http://', getAtt(nlb, 'DNSName'), ':8082/{proxy}']] },
      },
    });
    expect(onlyOf(s, 'AWS::ApiGateway::Stage')).toMatchObject({ StageName: 'test', RestApiId: { Ref: api } });
  });

  it("the proxy's API key lives in Secrets Manager: the template holds only a reference, no output holds it", () => {
    const secret = idOf('AWS::SecretsManager::Secret', 'ProxyApiKeySecret');
    expect(onlyOf(s, 'AWS::SecretsManager::Secret')).toEqual({
      Name: 'pinpipe/0e7ae8feb921/proxy-api-key',
      Description: 'pinpipe: the proxy\'s API key (field "apiKey"), sent as X-API-Key',
      GenerateSecretString: {
        ExcludePunctuation: true,
        GenerateStringKey: 'apiKey',
        PasswordLength: 40,
        SecretStringTemplate: '{}',
      },
    });
    const key = idOf('AWS::ApiGateway::ApiKey', 'ProxyApiKey');
    expect(onlyOf(s, 'AWS::ApiGateway::ApiKey')).toEqual({
      Name: 'pinpipe-0e7ae8feb921-proxy',
      Description: 'pinpipe: the proxy API key (its value lives in Secrets Manager only)',
      Enabled: true,
      Value: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret }, ':SecretString:apiKey::}}']] },
    });
    s.template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: key },
      KeyType: 'API_KEY',
    });
    expect(s.json.Outputs[OUTPUTS.apiKeySecretArn]!.Value).toEqual({ Ref: secret });
    expect(JSON.stringify(s.json.Outputs)).not.toMatch(/resolve:secretsmanager/);
  });

  it('MWAA: environment, versioned bucket, the DAG folder and requirements.txt deployed by the stack', () => {
    expect(onlyOf(s, 'AWS::MWAA::Environment')).toMatchObject({
      Name: 'pinpipe-0e7ae8feb921',
      AirflowVersion: '3.0.6',
      EnvironmentClass: 'mw1.small',
      DagS3Path: 'dags',
      RequirementsS3Path: 'requirements/requirements.txt',
      WebserverAccessMode: 'PRIVATE_ONLY',
      SourceBucketArn: getAtt(idOf('AWS::S3::Bucket', 'AirflowBucket'), 'Arn'),
      ExecutionRoleArn: getAtt(idOf('AWS::IAM::Role', 'AirflowExecutionRole'), 'Arn'),
    });
    const deployments = resourcesOf(s, 'Custom::CDKBucketDeployment').map(
      ([, p]) => p.DestinationBucketKeyPrefix,
    );
    expect(deployments).toEqual(['dags/', 'requirements/']);
    expect(airflowRequirements()).toBe('apache-airflow-providers-databricks==7.18.0\n');
  });

  it('outputs: everything a profile needs, by stable names', () => {
    expect(Object.keys(s.json.Outputs).filter((k) => !k.startsWith('RestApiEndpoint'))).toEqual([
      OUTPUTS.region,
      OUTPUTS.pipelineId,
      OUTPUTS.sink,
      OUTPUTS.bucket,
      OUTPUTS.restApiName,
      OUTPUTS.restApiId,
      OUTPUTS.stage,
      OUTPUTS.invokeUrl,
      OUTPUTS.apiKeySecretArn,
      OUTPUTS.hostRoleArn,
      OUTPUTS.proxyUrl,
      OUTPUTS.hostInstanceId,
      OUTPUTS.mwaaBucket,
      OUTPUTS.mwaaWebUrl,
      OUTPUTS.kafkaClusterArn,
      OUTPUTS.kafkaClusterName,
      OUTPUTS.bootstrapBrokers,
    ]);
    expect(s.json.Outputs[OUTPUTS.bootstrapBrokers]!.Value).toEqual(
      getAtt(idOf('Custom::AWS', 'BootstrapBrokersLookup'), 'BootstrapBrokerStringSaslIam'),
    );
  });

  it('cdk-nag AwsSolutions: no finding left that is not acknowledged with a written reason', () => {
    expect(s.openFindings).toEqual([]);
    for (const a of ACCEPTED_FINDINGS) expect(a.reason.length).toBeGreaterThan(40);
  });

  it('is deterministic: a second synthesis gives the same template', () => {
    expect(synthTemplate(profile)).toEqual(s.json);
  }, 60_000);
});

describe('infra: the sandbox variant (profiles/local.yaml)', () => {
  let local: Synthesized;
  beforeAll(() => {
    local = synth(shippedProfile('local'));
  }, 60_000);

  it('declares only what MiniStack CloudFormation implements, with the gateway forwarding to proxy.url', () => {
    const types = [...new Set(Object.values(local.json.Resources).map((r) => r.Type))].sort();
    expect(types).toEqual([
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::Deployment',
      'AWS::ApiGateway::Method',
      'AWS::ApiGateway::Resource',
      'AWS::ApiGateway::RestApi',
      'AWS::ApiGateway::Stage',
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::UsagePlanKey',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::S3::Bucket',
      'AWS::S3::BucketPolicy',
      'AWS::SecretsManager::Secret',
    ]);
    local.template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      ApiKeyRequired: false,
      Integration: {
        Type: 'HTTP_PROXY',
        Uri: 'http://127.0.0.1:8082/{proxy}',
        ConnectionType: Match.absent(),
      },
    });
    expect(local.json.Outputs[OUTPUTS.proxyUrl]!.Value).toBe('http://127.0.0.1:8082');
    // no bootstrap parameter or rule: the sandbox variant deploys without cdk bootstrap
    expect(JSON.stringify(local.json)).not.toMatch(/BootstrapVersion/);
    expect(local.openFindings).toEqual([]);
  });
});
