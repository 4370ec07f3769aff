import { type Profile, topicNames } from '../config/index.ts';

/**
 * The least-privilege IAM policy for a profile: what the proxy, sink and batch need at run
 * time (MSK IAM Connect / DescribeTopic / WriteData / ReadData on the three topics, the sink's group,
 * S3 Get/Put/List on the bucket) and what `pinpipe provision` needs (CreateTopic, CreateBucket,
 * API Gateway). aws/iam-policy.json is this document for profiles/aws.yaml; a test keeps them equal.
 * MSK ARNs: https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#msk-iam-resources
 */
export interface PolicyPlaceholders {
  accountId?: string;
  clusterName?: string;
  /** The cluster's UUID (last part of its ARN); `*` matches any cluster of that name. */
  clusterUuid?: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export function iamPolicy(
  profile: Profile,
  ph: PolicyPlaceholders = {},
): { Version: '2012-10-17'; Statement: PolicyStatement[] } {
  const region = profile.kafka.security.region ?? profile.region;
  const account = ph.accountId ?? 'ACCOUNT_ID';
  const cluster = `${ph.clusterName ?? 'CLUSTER_NAME'}/${ph.clusterUuid ?? '*'}`;
  const kafka = (kind: string, name?: string) =>
    `arn:aws:kafka:${region}:${account}:${kind}/${cluster}${name === undefined ? '' : `/${name}`}`;
  const topics = Object.values(topicNames(profile)).map((t) => kafka('topic', t));
  const bucket = `arn:aws:s3:::${profile.s3.bucket}`;
  const apis = [
    `arn:aws:apigateway:${profile.region}::/restapis`,
    `arn:aws:apigateway:${profile.region}::/restapis/*`,
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'KafkaConnect',
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        Resource: [kafka('cluster')],
      },
      {
        Sid: 'KafkaPipelineTopics',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData', 'kafka-cluster:ReadData'],
        Resource: topics,
      },
      {
        Sid: 'KafkaSinkGroup',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [kafka('group', profile.sink.groupId)],
      },
      {
        Sid: 'S3PipelineObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [`${bucket}/*`],
      },
      {
        Sid: 'S3PipelineBucket',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [bucket],
      },
      {
        Sid: 'ProvisionTopicsAndBucket',
        Effect: 'Allow',
        Action: ['kafka-cluster:CreateTopic', 's3:CreateBucket'],
        Resource: [...topics, bucket],
      },
      {
        Sid: 'ProvisionRestApi',
        Effect: 'Allow',
        Action: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH'],
        Resource: apis,
      },
    ],
  };
}
