/**
 * The stack's output names (CfnOutput ids): what a profile needs from a deployed stack. Stable: the
 * command that writes a profile from a stack's outputs reads them by these names.
 */
export const OUTPUTS = {
  region: 'Region',
  pipelineId: 'PipelineId',
  bucket: 'BucketName',
  restApiName: 'RestApiName',
  restApiId: 'RestApiId',
  stage: 'StageName',
  invokeUrl: 'InvokeUrl',
  proxyUrl: 'ProxyUrl',
  apiKeySecretArn: 'ProxyApiKeySecretArn',
  hostRoleArn: 'ClientHostRoleArn',
  hostInstanceId: 'ClientHostInstanceId',
  sink: 'Sink',
  kafkaClusterArn: 'ClusterArn',
  kafkaClusterName: 'KafkaClusterName',
  bootstrapBrokers: 'BootstrapBrokers',
  connectorArn: 'ConnectorArn',
  mwaaBucket: 'MwaaBucketName',
  mwaaWebUrl: 'MwaaWebUrl',
  databaseHost: 'DatabaseHost',
  databasePort: 'DatabasePort',
  databaseSecretArn: 'DatabaseSecretArn',
} as const;

export type OutputName = (typeof OUTPUTS)[keyof typeof OUTPUTS];
