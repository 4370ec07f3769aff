import { type Profile, topicNames } from '../config/index.ts';

/**
 * What `pinpipe provision` creates for a profile, computed without any network access
 * (`provision --profile aws --dry-run`). The REST API is the original's: one greedy resource `{proxy+}`,
 * method ANY, an HTTP proxy integration to the REST proxy, deployed to a stage.
 */
export interface ProvisionPlan {
  profile: string;
  region: string;
  /** Emulator endpoint, or "AWS" for real AWS. */
  target: string;
  bucket: { name: string };
  topics: Array<{ name: string; partitions: number; replicationFactor: number }>;
  restApi: {
    name: string;
    resource: { parent: '/'; pathPart: '{proxy+}' };
    method: { httpMethod: 'ANY'; authorizationType: 'NONE'; requestParameters: Record<string, boolean> };
    integration: {
      type: 'HTTP_PROXY';
      integrationHttpMethod: 'ANY';
      uri: string;
      requestParameters: Record<string, string>;
    };
    stage: string;
    /** Known only after creation unless the profile fixes it. */
    invokeUrl: string | undefined;
  };
  sink: { bucket: string; prefix: string; groupId: string };
}

export const PROXY_RESOURCE = '{proxy+}' as const;

/** The integration URI: the proxy as the gateway sees it, with the greedy path appended. */
export function integrationUri(profile: Profile): string {
  return `${profile.proxy.url.replace(/\/+$/, '')}/{proxy}`;
}

export function planProvision(profile: Profile): ProvisionPlan {
  const t = topicNames(profile);
  return {
    profile: profile.name,
    region: profile.region,
    target: profile.aws.endpoint ?? 'AWS',
    bucket: { name: profile.s3.bucket },
    topics: [t.pin, t.geo, t.user].map((name) => ({
      name,
      partitions: profile.kafka.partitions,
      replicationFactor: profile.kafka.replicationFactor,
    })),
    restApi: {
      name: profile.apiGateway.restApiName,
      resource: { parent: '/', pathPart: PROXY_RESOURCE },
      method: {
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        requestParameters: { 'method.request.path.proxy': true },
      },
      integration: {
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'ANY',
        uri: integrationUri(profile),
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
      stage: profile.apiGateway.stage,
      invokeUrl: profile.apiGateway.invokeUrl,
    },
    sink: { bucket: profile.s3.bucket, prefix: profile.s3.topicsDir, groupId: profile.sink.groupId },
  };
}

/** The plan as lines for a terminal. */
export function formatPlan(plan: ProvisionPlan): string[] {
  const api = plan.restApi;
  return [
    `Provisioning plan for profile "${plan.profile}" (${plan.target}, region ${plan.region})`,
    `  S3 bucket         ${plan.bucket.name}`,
    ...plan.topics.map(
      (t) =>
        `  Kafka topic       ${t.name} (${t.partitions} partitions, replication factor ${t.replicationFactor})`,
    ),
    `  REST API          ${api.name}`,
    `    resource        /${api.resource.pathPart}`,
    `    method          ${api.method.httpMethod} (authorization ${api.method.authorizationType}, path parameter "proxy")`,
    `    integration     ${api.integration.type} ${api.integration.integrationHttpMethod} ${api.integration.uri}`,
    `                    integration.request.path.proxy ← method.request.path.proxy`,
    `    stage           ${api.stage} (deployed)`,
    `    invoke URL      ${api.invokeUrl ?? '(known after creation)'}`,
    `  Sink objects      s3://${plan.sink.bucket}/${plan.sink.prefix}/<topic>/partition=<p>/ (group ${plan.sink.groupId})`,
  ];
}
