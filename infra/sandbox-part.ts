import { Aws, CfnOutput, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Profile } from '../src/config/index.ts';
import { iamPolicy } from '../src/doctor/index.ts';
import { OUTPUTS } from './outputs.ts';

/**
 * The part of the stack MiniStack's CloudFormation implements, declared for both variants: the
 * pipeline bucket, the proxy's API key in Secrets Manager, the REST API in front of the proxy
 * (`{proxy+}`, ANY, HTTP proxy, the profile's stage) with its API key and usage plan, and the client
 * host's role with the pipeline policy `pinpipe doctor --print-policy` prints.
 */
export interface CorePart {
  bucket: s3.Bucket;
  apiKeySecret: secretsmanager.Secret;
  api: apigw.RestApi;
  hostRole: iam.Role;
}

/** The secret's JSON field holding the proxy's API key (X-API-Key, checked by the gateway and the proxy). */
export const API_KEY_FIELD = 'apiKey';

/** The MSK cluster's name: the profile's infra.msk.clusterName, else pinpipe-<pipelineId>. */
export function clusterName(profile: Profile): string {
  return profile.infra.msk.clusterName ?? `pinpipe-${profile.pipelineId}`;
}

export function declareCore(
  stack: Stack,
  profile: Profile,
  proxy: { integrationUri: string; integrationOptions?: apigw.IntegrationOptions },
): CorePart {
  const bucket = new s3.Bucket(stack, 'PipelineBucket', {
    bucketName: profile.s3.bucket,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    removalPolicy: profile.infra.retainBucket ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });

  const apiKeySecret = new secretsmanager.Secret(stack, 'ProxyApiKeySecret', {
    secretName: `pinpipe/${profile.pipelineId}/proxy-api-key`,
    description: `pinpipe: the proxy's API key (field "${API_KEY_FIELD}"), sent as X-API-Key`,
    generateSecretString: {
      secretStringTemplate: '{}',
      generateStringKey: API_KEY_FIELD,
      excludePunctuation: true,
      passwordLength: 40,
    },
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const api = new apigw.RestApi(stack, 'RestApi', {
    restApiName: profile.apiGateway.restApiName,
    description: 'pinpipe: API Gateway in front of the Kafka REST proxy (user posting emulation)',
    endpointTypes: [apigw.EndpointType.REGIONAL],
    cloudWatchRole: false,
    deployOptions: { stageName: profile.apiGateway.stage },
  });
  const greedy = api.root.addResource('{proxy+}');
  greedy.addMethod(
    'ANY',
    new apigw.HttpIntegration(proxy.integrationUri, {
      proxy: true,
      httpMethod: 'ANY',
      options: {
        ...proxy.integrationOptions,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
    }),
    {
      requestParameters: { 'method.request.path.proxy': true },
      // the gateway asks for the key only when the profile's proxy does (proxy.apiKeyEnv)
      apiKeyRequired: profile.proxy.apiKeyEnv !== undefined,
    },
  );
  const apiKey = new apigw.ApiKey(stack, 'ProxyApiKey', {
    apiKeyName: `pinpipe-${profile.pipelineId}-proxy`,
    description: 'pinpipe: the proxy API key (its value lives in Secrets Manager only)',
    value: apiKeySecret.secretValueFromJson(API_KEY_FIELD).unsafeUnwrap(),
  });
  const plan = new apigw.UsagePlan(stack, 'UsagePlan', {
    name: `pinpipe-${profile.pipelineId}`,
    apiStages: [{ api, stage: api.deploymentStage }],
  });
  plan.addApiKey(apiKey);

  const hostRole = new iam.Role(stack, 'ClientHostRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'pinpipe client host: proxy and sink (the pipeline policy of pinpipe doctor --print-policy)',
  });
  new iam.CfnPolicy(stack, 'PipelinePolicy', {
    policyName: 'pinpipe-pipeline',
    roles: [hostRole.roleName],
    policyDocument: iamPolicy(profile, { accountId: Aws.ACCOUNT_ID, clusterName: clusterName(profile) }),
  });
  apiKeySecret.grantRead(hostRole);

  new CfnOutput(stack, OUTPUTS.bucket, { value: bucket.bucketName, description: 's3.bucket' });
  new CfnOutput(stack, OUTPUTS.restApiName, {
    value: profile.apiGateway.restApiName,
    description: 'apiGateway.restApiName',
  });
  new CfnOutput(stack, OUTPUTS.restApiId, { value: api.restApiId, description: 'the REST API id' });
  new CfnOutput(stack, OUTPUTS.stage, {
    value: api.deploymentStage.stageName,
    description: 'apiGateway.stage',
  });
  new CfnOutput(stack, OUTPUTS.invokeUrl, { value: api.url, description: 'apiGateway.invokeUrl (AWS)' });
  new CfnOutput(stack, OUTPUTS.apiKeySecretArn, {
    value: apiKeySecret.secretArn,
    description: `the secret holding the proxy API key (field "${API_KEY_FIELD}"); its value is never an output`,
  });
  new CfnOutput(stack, OUTPUTS.hostRoleArn, { value: hostRole.roleArn, description: 'the client host role' });
  return { bucket, apiKeySecret, api, hostRole };
}
