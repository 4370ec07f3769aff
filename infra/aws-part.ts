import fs from 'node:fs';
import path from 'node:path';
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kafkaconnect from 'aws-cdk-lib/aws-kafkaconnect';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as mwaa from 'aws-cdk-lib/aws-mwaa';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import { PROJECT_ROOT, topicNames, type Profile } from '../src/config/index.ts';
import { connectorName, connectorProperties } from './connector.ts';
import { OUTPUTS } from './outputs.ts';
import { clusterName, declareCore, type CorePart } from './sandbox-part.ts';
import { hostUserData } from './user-data.ts';

/** The MSK port of IAM-authenticated clients inside the VPC. */
export const MSK_IAM_PORT = 9098;
/** The Kafka Connect runtime of the connector (MSK Connect's supported versions). */
export const KAFKA_CONNECT_VERSION = '2.7.1';

/** The parts of the aws variant, returned for tests and for the cdk-nag acknowledgements. */
export interface AwsPart extends CorePart {
  vpc: ec2.IVpc;
  brokerSg: ec2.SecurityGroup;
  hostSg: ec2.SecurityGroup;
  host: ec2.Instance;
  nlb: elbv2.NetworkLoadBalancer;
  bootstrapBrokers: cr.AwsCustomResource;
  connector?: kafkaconnect.CfnConnector;
  connectorRole?: iam.Role;
  airflow?: { bucket: s3.Bucket; role: iam.Role; environment: mwaa.CfnEnvironment };
  database?: rds.DatabaseInstance;
}

/** The Databricks provider line of the project's Airflow lock: MWAA installs it from requirements.txt. */
export function airflowRequirements(root: string = PROJECT_ROOT): string {
  const lock = fs.readFileSync(path.join(root, 'orchestrate', 'requirements-airflow.lock'), 'utf8');
  const line = lock.split('\n').find((l) => l.startsWith('apache-airflow-providers-databricks=='));
  if (!line)
    throw new Error('orchestrate/requirements-airflow.lock names no apache-airflow-providers-databricks');
  return `${line.trim()}\n`;
}

/** Everything beyond MiniStack: VPC, security groups, MSK, client host, MSK Connect, MWAA, database. */
export function declareAwsPart(stack: Stack, profile: Profile): AwsPart {
  const infra = profile.infra;
  const proxyPort = profile.proxy.port;

  // The network: a new VPC (two zones, public and private subnets, one NAT gateway, flow logs), or
  // the profile's existing one by ids (never looked up, so synth needs no AWS account).
  let vpc: ec2.IVpc;
  if (infra.vpc) {
    vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: infra.vpc.vpcId,
      availabilityZones: infra.vpc.availabilityZones,
      privateSubnetIds: infra.vpc.privateSubnetIds,
    });
  } else {
    const created = new ec2.Vpc(stack, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.42.0.0/16'),
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
      ],
    });
    created.addFlowLog('FlowLog');
    vpc = created;
  }
  const privateSubnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });

  // Security groups: the client host reaches the brokers on 9098; the gateway's VPC link (the
  // network load balancer) reaches the proxy port; nothing else is open.
  const brokerSg = new ec2.SecurityGroup(stack, 'BrokerSecurityGroup', {
    vpc,
    description: 'pinpipe MSK brokers: IAM clients on 9098 from the client host and the connector',
    allowAllOutbound: false,
  });
  const hostSg = new ec2.SecurityGroup(stack, 'ClientHostSecurityGroup', {
    vpc,
    description: 'pinpipe client host: the proxy port from the VPC link load balancer only',
    allowAllOutbound: true,
  });
  brokerSg.addIngressRule(
    hostSg,
    ec2.Port.tcp(MSK_IAM_PORT),
    'client host (proxy, sink, provision) to brokers',
  );
  // The load balancer takes only the VPC link's PrivateLink traffic (no inbound rule) and forwards
  // it to the proxy port.
  const nlbSg = new ec2.SecurityGroup(stack, 'ProxyLoadBalancerSecurityGroup', {
    vpc,
    description: 'pinpipe VPC link load balancer: API Gateway (PrivateLink) in, the proxy port out',
    allowAllOutbound: false,
  });
  nlbSg.addEgressRule(hostSg, ec2.Port.tcp(proxyPort), 'to the proxy on the client host');
  hostSg.addIngressRule(nlbSg, ec2.Port.tcp(proxyPort), 'API Gateway VPC link (load balancer) to the proxy');

  // MSK with IAM access control; topic auto-creation off (provisioned: a configuration; serverless
  // clusters never create topics on their own).
  const name = clusterName(profile);
  const subnetIds = privateSubnets.subnetIds;
  let clusterArn: string;
  if (infra.msk.mode === 'serverless') {
    const serverless = new msk.CfnServerlessCluster(stack, 'Kafka', {
      clusterName: name,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [{ subnetIds, securityGroups: [brokerSg.securityGroupId] }],
    });
    clusterArn = serverless.attrArn;
  } else {
    const configuration = new msk.CfnConfiguration(stack, 'KafkaConfiguration', {
      name: `${name}-config`,
      description: 'pinpipe: topics are created by pinpipe provision, never on first use',
      kafkaVersionsList: [infra.msk.kafkaVersion],
      serverProperties: 'auto.create.topics.enable=false\n',
    });
    const brokerLogs = new logs.LogGroup(stack, 'KafkaBrokerLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const cluster = new msk.CfnCluster(stack, 'Kafka', {
      clusterName: name,
      kafkaVersion: infra.msk.kafkaVersion,
      numberOfBrokerNodes: infra.msk.brokerNodes,
      brokerNodeGroupInfo: {
        instanceType: infra.msk.instanceType,
        clientSubnets: subnetIds,
        securityGroups: [brokerSg.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: infra.msk.volumeGb } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      configurationInfo: { arn: configuration.attrArn, revision: configuration.attrLatestRevisionRevision },
      enhancedMonitoring: 'DEFAULT',
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
    });
    clusterArn = cluster.attrArn;
  }
  // CloudFormation has no attribute for the bootstrap brokers: one read-only SDK call gives them.
  const bootstrapBrokers = new cr.AwsCustomResource(stack, 'BootstrapBrokersLookup', {
    onUpdate: {
      service: 'Kafka',
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: clusterArn },
      physicalResourceId: cr.PhysicalResourceId.of(clusterArn),
      outputPaths: ['BootstrapBrokerStringSaslIam'],
    },
    policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [clusterArn] }),
    installLatestAwsSdk: false,
  });
  const brokers = bootstrapBrokers.getResponseField('BootstrapBrokerStringSaslIam');

  // The API Gateway reaches the proxy on the client host through a VPC link and an internal network
  // load balancer; the host has no public address.
  const nlb = new elbv2.NetworkLoadBalancer(stack, 'ProxyLoadBalancer', {
    vpc,
    internetFacing: false,
    vpcSubnets: privateSubnets,
    securityGroups: [nlbSg],
    enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: false,
  });
  const vpcLink = new apigw.VpcLink(stack, 'ProxyVpcLink', {
    vpcLinkName: `pinpipe-${profile.pipelineId}`,
    targets: [nlb],
  });
  const proxyUrl = `http://${nlb.loadBalancerDnsName}:${proxyPort}`;
  const core = declareCore(stack, profile, {
    integrationUri: `${proxyUrl}/{proxy}`,
    integrationOptions: { connectionType: apigw.ConnectionType.VPC_LINK, vpcLink },
  });
  new CfnOutput(stack, OUTPUTS.proxyUrl, {
    value: proxyUrl,
    description: 'proxy.url (as the gateway reaches it)',
  });

  // The client host (as in the original): pinpipe proxy, and pinpipe sink unless MSK Connect sinks.
  core.hostRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'));
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    ...hostUserData(profile, {
      bootstrapBrokers: brokers,
      proxyUrl,
      apiKeySecretArn: core.apiKeySecret.secretArn,
      region: Aws.REGION,
    }),
  );
  const host = new ec2.Instance(stack, 'ClientHost', {
    vpc,
    vpcSubnets: privateSubnets,
    instanceType: new ec2.InstanceType(infra.host.instanceType),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    role: core.hostRole,
    securityGroup: hostSg,
    userData,
    userDataCausesReplacement: true,
    requireImdsv2: true,
    detailedMonitoring: true,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(16, { encrypted: true }) }],
  });
  const listener = nlb.addListener('Proxy', { port: proxyPort, protocol: elbv2.Protocol.TCP });
  listener.addTargets('ClientHost', {
    port: proxyPort,
    protocol: elbv2.Protocol.TCP,
    targets: [new targets.InstanceTarget(host, proxyPort)],
    healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(30) },
  });
  new CfnOutput(stack, OUTPUTS.hostInstanceId, {
    value: host.instanceId,
    description: 'the client host (aws ssm start-session --target <id>)',
  });

  const part: AwsPart = { ...core, vpc, brokerSg, hostSg, host, nlb, bootstrapBrokers };
  if (infra.sink === 'msk-connect')
    Object.assign(part, declareConnector(stack, profile, part, clusterArn, brokers));
  if (infra.mwaa.enabled) part.airflow = declareAirflow(stack, profile, vpc, privateSubnets);
  if (infra.rds.enabled) part.database = declareDatabase(stack, profile, vpc, privateSubnets, hostSg);

  new CfnOutput(stack, OUTPUTS.kafkaClusterArn, { value: clusterArn, description: 'the MSK cluster' });
  new CfnOutput(stack, OUTPUTS.kafkaClusterName, {
    value: name,
    description: 'doctor --print-policy --cluster',
  });
  new CfnOutput(stack, OUTPUTS.bootstrapBrokers, {
    value: brokers,
    description: 'kafka.brokers (comma-separated, IAM on 9098)',
  });
  return part;
}

/** MSK Connect, as in the original: the Confluent S3 sink plugin from the user's zip and the connector. */
function declareConnector(
  stack: Stack,
  profile: Profile,
  part: AwsPart,
  clusterArn: string,
  brokers: string,
): { connector: kafkaconnect.CfnConnector; connectorRole: iam.Role } {
  const uri = profile.infra.connectPluginS3Uri!;
  const [pluginBucket, ...keyParts] = uri.slice('s3://'.length).split('/');
  const plugin = new kafkaconnect.CfnCustomPlugin(stack, 'S3SinkPlugin', {
    name: `pinpipe-${profile.pipelineId}-s3-sink`,
    description: 'Confluent S3 sink connector (the zip you uploaded)',
    contentType: 'ZIP',
    location: {
      s3Location: { bucketArn: `arn:${Aws.PARTITION}:s3:::${pluginBucket}`, fileKey: keyParts.join('/') },
    },
  });
  const connectSg = new ec2.SecurityGroup(stack, 'ConnectorSecurityGroup', {
    vpc: part.vpc,
    description: 'pinpipe MSK Connect workers: to the brokers (9098) and S3',
    allowAllOutbound: true,
  });
  part.brokerSg.addIngressRule(connectSg, ec2.Port.tcp(MSK_IAM_PORT), 'MSK Connect workers to brokers');

  const name = connectorName(profile);
  const kafkaArn = (kind: string, rest: string) =>
    Fn.join('', [
      `arn:${Aws.PARTITION}:kafka:${profile.region}:${Aws.ACCOUNT_ID}:${kind}/`,
      clusterName(profile),
      `/*/${rest}`,
    ]);
  const role = new iam.Role(stack, 'ConnectorRole', {
    assumedBy: new iam.ServicePrincipal('kafkaconnect.amazonaws.com'),
    description: 'pinpipe MSK Connect S3 sink: read the three topics, write the bucket',
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'KafkaConnect',
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
      resources: [clusterArn],
    }),
  );
  const topics = Object.values(topicNames(profile));
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'KafkaPipelineTopics',
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resources: topics.map((t) => kafkaArn('topic', t)),
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'KafkaConnectInternalTopics',
      actions: [
        'kafka-cluster:CreateTopic',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:ReadData',
        'kafka-cluster:WriteData',
      ],
      resources: [kafkaArn('topic', '__amazon_msk_connect_*')],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'KafkaConnectGroups',
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resources: [kafkaArn('group', profile.sink.groupId), kafkaArn('group', '__amazon_msk_connect_*')],
    }),
  );
  part.bucket.grantReadWrite(role);

  const logGroup = new logs.LogGroup(stack, 'ConnectorLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const connector = new kafkaconnect.CfnConnector(stack, 'S3SinkConnector', {
    connectorName: name,
    connectorDescription: `pinpipe: ${topics.join(', ')} to s3://${profile.s3.bucket}/${profile.s3.topicsDir}/`,
    kafkaConnectVersion: KAFKA_CONNECT_VERSION,
    connectorConfiguration: connectorProperties(profile),
    capacity: { provisionedCapacity: { mcuCount: 1, workerCount: 1 } },
    kafkaCluster: {
      apacheKafkaCluster: {
        bootstrapServers: brokers,
        vpc: {
          securityGroups: [connectSg.securityGroupId],
          subnets: part.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
        },
      },
    },
    kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
    kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
    plugins: [
      { customPlugin: { customPluginArn: plugin.attrCustomPluginArn, revision: plugin.attrRevision } },
    ],
    serviceExecutionRoleArn: role.roleArn,
    logDelivery: {
      workerLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: logGroup.logGroupName } },
    },
  });
  connector.node.addDependency(role);
  new CfnOutput(stack, OUTPUTS.connectorArn, {
    value: connector.attrConnectorArn,
    description: 'the S3 sink connector',
  });
  return { connector, connectorRole: role };
}

/** MWAA: its bucket, the DAGs and requirements.txt deployed by the stack, an execution role. */
function declareAirflow(
  stack: Stack,
  profile: Profile,
  vpc: ec2.IVpc,
  subnets: ec2.SelectedSubnets,
): NonNullable<AwsPart['airflow']> {
  const envName = `pinpipe-${profile.pipelineId}`;
  const bucket = new s3.Bucket(stack, 'AirflowBucket', {
    versioned: true, // MWAA requires a versioned source bucket
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  const dags = new s3deploy.BucketDeployment(stack, 'AirflowDags', {
    sources: [
      s3deploy.Source.asset(path.join(PROJECT_ROOT, 'orchestrate', 'dags'), { exclude: ['__pycache__'] }),
    ],
    destinationBucket: bucket,
    destinationKeyPrefix: 'dags/',
  });
  const requirements = new s3deploy.BucketDeployment(stack, 'AirflowRequirements', {
    sources: [s3deploy.Source.data('requirements.txt', airflowRequirements())],
    destinationBucket: bucket,
    destinationKeyPrefix: 'requirements/',
  });
  const sg = new ec2.SecurityGroup(stack, 'AirflowSecurityGroup', {
    vpc,
    description: 'pinpipe MWAA: its own workers and web server only (the self rule MWAA requires)',
    allowAllOutbound: true,
  });
  sg.addIngressRule(sg, ec2.Port.allTraffic(), 'MWAA components to each other');

  const arn = (service: string, resource: string) =>
    `arn:${Aws.PARTITION}:${service}:${profile.region}:${Aws.ACCOUNT_ID}:${resource}`;
  const role = new iam.Role(stack, 'AirflowExecutionRole', {
    assumedBy: new iam.CompositePrincipal(
      new iam.ServicePrincipal('airflow.amazonaws.com'),
      new iam.ServicePrincipal('airflow-env.amazonaws.com'),
    ),
    description: 'pinpipe MWAA execution role',
  });
  bucket.grantRead(role);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['airflow:PublishMetrics'],
      resources: [arn('airflow', `environment/${envName}`)],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'logs:CreateLogStream',
        'logs:CreateLogGroup',
        'logs:PutLogEvents',
        'logs:GetLogEvents',
        'logs:GetLogRecord',
        'logs:GetLogGroupFields',
        'logs:GetQueryResults',
      ],
      resources: [arn('logs', `log-group:airflow-${envName}-*`)],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['logs:DescribeLogGroups', 'cloudwatch:PutMetricData', 's3:GetAccountPublicAccessBlock'],
      resources: ['*'],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ],
      resources: [`arn:${Aws.PARTITION}:sqs:${profile.region}:*:airflow-celery-*`],
    }),
  );
  const logging = { enabled: true, logLevel: 'INFO' };
  const environment = new mwaa.CfnEnvironment(stack, 'Airflow', {
    name: envName,
    airflowVersion: profile.infra.mwaa.airflowVersion,
    environmentClass: profile.infra.mwaa.environmentClass,
    executionRoleArn: role.roleArn,
    sourceBucketArn: bucket.bucketArn,
    dagS3Path: 'dags',
    requirementsS3Path: 'requirements/requirements.txt',
    webserverAccessMode: 'PRIVATE_ONLY',
    networkConfiguration: {
      securityGroupIds: [sg.securityGroupId],
      subnetIds: subnets.subnetIds.slice(0, 2),
    },
    loggingConfiguration: {
      dagProcessingLogs: logging,
      schedulerLogs: logging,
      taskLogs: logging,
      webserverLogs: logging,
      workerLogs: logging,
    },
    airflowConfigurationOptions: { 'core.default_timezone': 'utc' },
  });
  environment.node.addDependency(dags, requirements, role);
  new CfnOutput(stack, OUTPUTS.mwaaBucket, {
    value: bucket.bucketName,
    description: 'the MWAA source bucket',
  });
  new CfnOutput(stack, OUTPUTS.mwaaWebUrl, {
    value: Fn.join('', ['https://', environment.attrWebserverUrl]),
    description: 'the Airflow UI',
  });
  return { bucket, role, environment };
}

/** The optional source database (RDS MySQL); `pinpipe seed --profile …` fills it afterwards. */
function declareDatabase(
  stack: Stack,
  profile: Profile,
  vpc: ec2.IVpc,
  subnets: ec2.SelectedSubnets,
  hostSg: ec2.SecurityGroup,
): rds.DatabaseInstance {
  const sg = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', {
    vpc,
    description: 'pinpipe source database: MySQL from the client host only',
    allowAllOutbound: false,
  });
  sg.addIngressRule(hostSg, ec2.Port.tcp(profile.mysql.port), 'client host (emulator, seed) to MySQL');
  const [major] = profile.infra.rds.engineVersion.split('.');
  const db = new rds.DatabaseInstance(stack, 'SourceDatabase', {
    engine: rds.DatabaseInstanceEngine.mysql({
      version: rds.MysqlEngineVersion.of(
        profile.infra.rds.engineVersion,
        `${major}.${profile.infra.rds.engineVersion.split('.')[1]}`,
      ),
    }),
    instanceType: new ec2.InstanceType(profile.infra.rds.instanceType),
    vpc,
    vpcSubnets: subnets,
    securityGroups: [sg],
    databaseName: profile.mysql.database,
    port: profile.mysql.port,
    credentials: rds.Credentials.fromGeneratedSecret('admin'),
    storageEncrypted: true,
    allocatedStorage: 20,
    multiAz: false,
    deletionProtection: false,
    removalPolicy: RemovalPolicy.SNAPSHOT,
    backupRetention: Duration.days(1),
  });
  new CfnOutput(stack, OUTPUTS.databaseHost, {
    value: db.dbInstanceEndpointAddress,
    description: 'mysql.host',
  });
  new CfnOutput(stack, OUTPUTS.databasePort, { value: db.dbInstanceEndpointPort, description: 'mysql.port' });
  new CfnOutput(stack, OUTPUTS.databaseSecretArn, {
    value: db.secret!.secretArn,
    description: 'the admin password (field "password"), for mysql.passwordEnv',
  });
  return db;
}
