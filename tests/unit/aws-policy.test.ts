import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/env.ts';
import { shippedProfile } from '../helpers/profile.ts';
import { topicNames } from '../../src/config/schema.ts';
import { iamPolicy, type PolicyStatement } from '../../src/doctor/iam-policy.ts';

const file = path.join(PROJECT_ROOT, 'aws', 'iam-policy.json');
const policy = JSON.parse(fs.readFileSync(file, 'utf8')) as { Version: string; Statement: PolicyStatement[] };
const profile = shippedProfile('aws');
const byActions = (action: string) => policy.Statement.filter((s) => s.Action.includes(action));
const sid = (id: string) => {
  const s = policy.Statement.find((x) => x.Sid === id);
  expect(s, `statement ${id}`).toBeDefined();
  return s!;
};
const arn = (kind: string, name?: string) =>
  `arn:aws:kafka:${profile.region}:ACCOUNT_ID:${kind}/CLUSTER_NAME/*${name ? `/${name}` : ''}`;

describe('aws/iam-policy.json: the least-privilege policy', () => {
  it('is a valid policy document with only Allow statements, no wildcard actions and no "*" resource', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(s.Action.length).toBeGreaterThan(0);
      for (const a of s.Action) expect(a).toMatch(/^(kafka-cluster|s3|apigateway):[A-Za-z]+$/);
      for (const r of s.Resource) {
        expect(r).not.toBe('*');
        expect(r).toMatch(/^arn:aws:/);
      }
    }
    expect(new Set(policy.Statement.map((s) => s.Sid)).size).toBe(policy.Statement.length);
  });

  it('MSK: Connect on the cluster; DescribeTopic/WriteData/ReadData on exactly the three pipeline topics', () => {
    expect(sid('KafkaConnect').Action).toContain('kafka-cluster:Connect');
    expect(sid('KafkaConnect').Resource).toEqual([arn('cluster')]);
    const t = sid('KafkaPipelineTopics');
    expect(t.Action.toSorted()).toEqual([
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
      'kafka-cluster:WriteData',
    ]);
    const topics = topicNames(profile);
    expect(t.Resource.toSorted()).toEqual(
      [topics.geo, topics.pin, topics.user].map((n) => arn('topic', n)).toSorted(),
    );
    expect(
      t.Resource.every(
        (r) => r.endsWith(`/${profile.pipelineId}.pin`) || r.endsWith('.geo') || r.endsWith('.user'),
      ),
    ).toBe(true);
    // data actions are granted on nothing else
    for (const a of ['kafka-cluster:WriteData', 'kafka-cluster:ReadData']) {
      expect(
        byActions(a)
          .flatMap((s) => s.Resource)
          .toSorted(),
      ).toEqual(t.Resource.toSorted());
    }
  });

  it('MSK: DescribeGroup/AlterGroup on the sink consumer group only', () => {
    const g = sid('KafkaSinkGroup');
    expect(g.Action.toSorted()).toEqual(['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup']);
    expect(g.Resource).toEqual([arn('group', profile.sink.groupId)]);
  });

  it('S3: Get/Put on the bucket’s objects, List on the bucket, nothing on other buckets', () => {
    const bucket = `arn:aws:s3:::${profile.s3.bucket}`;
    expect(sid('S3PipelineObjects').Action.toSorted()).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(sid('S3PipelineObjects').Resource).toEqual([`${bucket}/*`]);
    expect(sid('S3PipelineBucket')).toMatchObject({ Action: ['s3:ListBucket'], Resource: [bucket] });
    const s3Resources = policy.Statement.flatMap((s) =>
      s.Action.some((a) => a.startsWith('s3:')) ? s.Resource : [],
    );
    for (const r of s3Resources.filter((x) => x.startsWith('arn:aws:s3')))
      expect(r.startsWith(bucket)).toBe(true);
  });

  it('provisioning: API Gateway REST APIs of the region, CreateTopic on the topics, CreateBucket on the bucket', () => {
    const api = sid('ProvisionRestApi');
    expect(api.Action.every((a) => a.startsWith('apigateway:'))).toBe(true);
    expect(api.Action).toEqual(
      expect.arrayContaining(['apigateway:GET', 'apigateway:POST', 'apigateway:PUT']),
    );
    expect(api.Action).not.toContain('apigateway:DELETE');
    for (const r of api.Resource)
      expect(r).toMatch(new RegExp(`^arn:aws:apigateway:${profile.region}::/restapis`));
    const prov = sid('ProvisionTopicsAndBucket');
    expect(prov.Action.toSorted()).toEqual(['kafka-cluster:CreateTopic', 's3:CreateBucket']);
    expect(prov.Resource).toContain(`arn:aws:s3:::${profile.s3.bucket}`);
  });

  it('has exactly these statements, in this order, for profiles/aws.yaml (nothing more, nothing less)', () => {
    const topics = [topicNames(profile).pin, topicNames(profile).geo, topicNames(profile).user].map((n) =>
      arn('topic', n),
    );
    const bucket = `arn:aws:s3:::${profile.s3.bucket}`;
    const allow = (Sid: string, Action: string[], Resource: string[]) => ({
      Sid,
      Effect: 'Allow',
      Action,
      Resource,
    });
    expect(policy).toStrictEqual({
      Version: '2012-10-17',
      Statement: [
        allow('KafkaConnect', ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], [arn('cluster')]),
        allow(
          'KafkaPipelineTopics',
          ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData', 'kafka-cluster:ReadData'],
          topics,
        ),
        allow(
          'KafkaSinkGroup',
          ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          [arn('group', profile.sink.groupId)],
        ),
        allow('S3PipelineObjects', ['s3:GetObject', 's3:PutObject'], [`${bucket}/*`]),
        allow('S3PipelineBucket', ['s3:ListBucket'], [bucket]),
        allow(
          'ProvisionTopicsAndBucket',
          ['kafka-cluster:CreateTopic', 's3:CreateBucket'],
          [...topics, bucket],
        ),
        allow(
          'ProvisionRestApi',
          ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH'],
          [
            `arn:aws:apigateway:${profile.region}::/restapis`,
            `arn:aws:apigateway:${profile.region}::/restapis/*`,
          ],
        ),
      ],
    });
    // the names these are built from, as profiles/aws.yaml gives them
    expect(topics[0]).toBe(
      `arn:aws:kafka:us-east-1:ACCOUNT_ID:topic/CLUSTER_NAME/*/${profile.pipelineId}.pin`,
    );
    expect(profile.region).toBe('us-east-1');
  });

  it('is what `pinpipe doctor --print-policy` generates for profiles/aws.yaml (kept in sync)', () => {
    expect(policy).toEqual(iamPolicy(profile));
    const mine = iamPolicy(profile, { accountId: '123456789012', clusterName: 'pinpipe' });
    expect(mine.Statement[0]!.Resource).toEqual(['arn:aws:kafka:us-east-1:123456789012:cluster/pinpipe/*']);
  });
});
