import { Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The cdk-nag AwsSolutions findings this stack accepts, each with its reason: a rule (the part of
 * the finding id before any "[…]") on the constructs whose path (below the stack) matches. A finding
 * not listed here stays an error: `cdk synth` fails and the unit test names it.
 */
export const ACCEPTED_FINDINGS: ReadonlyArray<{ rule: string; path: RegExp; reason: string }> = [
  {
    rule: 'S1',
    path: /^(PipelineBucket|AirflowBucket)\//,
    reason:
      'Server access logs would need a second bucket per environment; CloudTrail data events are the audit trail for a pipeline bucket written only by the sink.',
  },
  {
    rule: 'SMG4',
    path: /^(ProxyApiKeySecret|SourceDatabase\/Secret)\//,
    reason:
      'The proxy API key and the practice database password are rotated by redeploying (a new generated value); a rotation Lambda would have to update the gateway key and restart the proxy together.',
  },
  {
    rule: 'APIG2',
    path: /^RestApi\//,
    reason:
      'The gateway is an HTTP proxy ({proxy+}, as in the original): the REST proxy validates every body and answers with Confluent error codes.',
  },
  {
    rule: 'APIG1',
    path: /^RestApi\/DeploymentStage\./,
    reason:
      'Access logs need an account-wide CloudWatch role for API Gateway, which this stack does not own; the proxy logs every request and serves /metrics.',
  },
  {
    rule: 'APIG6',
    path: /^RestApi\/DeploymentStage\./,
    reason:
      'Execution logs need an account-wide CloudWatch role for API Gateway, which this stack does not own; the proxy logs every request.',
  },
  {
    rule: 'APIG3',
    path: /^RestApi\/DeploymentStage\./,
    reason:
      'A practice pipeline posting synthetic rows; the usage plan throttles and the proxy caps connections, requests and bytes in flight.',
  },
  {
    rule: 'APIG4',
    path: /^RestApi\/Default\/\{proxy\+\}\/ANY\//,
    reason:
      "Clients authenticate with the proxy's API key (X-API-Key, required by the gateway and the proxy when proxy.apiKeyEnv is set), as the original's REST proxy did.",
  },
  {
    rule: 'COG4',
    path: /^RestApi\/Default\/\{proxy\+\}\/ANY\//,
    reason: 'No user pool: the only client is the posting emulator, which sends the API key.',
  },
  {
    rule: 'IAM5',
    path: /^PipelinePolicy$/,
    reason:
      'The policy pinpipe doctor --print-policy prints: "*" stands for the MSK cluster UUID (unknown before the cluster exists), the objects of the pipeline bucket, and the REST APIs of the region that provision manages.',
  },
  {
    rule: 'IAM4',
    path: /^ClientHostRole\//,
    reason:
      'AmazonSSMManagedInstanceCore lets operators reach the host with Session Manager instead of SSH (no inbound port).',
  },
  {
    rule: 'EC29',
    path: /^ClientHost\//,
    reason:
      'The client host is stateless (pinpipe from npm, state in Kafka and S3): replacing it is the recovery, so it is neither in an auto scaling group nor termination-protected.',
  },
  {
    rule: 'ELB2',
    path: /^ProxyLoadBalancer\//,
    reason: 'An internal TCP load balancer for the VPC link only; the proxy logs the requests it receives.',
  },
  {
    rule: 'IAM4',
    path: /^(AWS679f53fac002430cb0da5b7982bd2287|Custom::CDKBucketDeployment[0-9A-F]+)\//,
    reason:
      'The aws-cdk-lib provider functions (bootstrap-broker lookup, DAG upload) use AWSLambdaBasicExecutionRole for their own logs; the construct library owns these roles.',
  },
  {
    rule: 'L1',
    path: /^(AWS679f53fac002430cb0da5b7982bd2287|Custom::CDKBucketDeployment[0-9A-F]+)\//,
    reason:
      'The runtime of the aws-cdk-lib provider functions is chosen by aws-cdk-lib (pinned in package.json) and moves with it.',
  },
  {
    rule: 'IAM5',
    path: /^Custom::CDKBucketDeployment[0-9A-F]+\/ServiceRole\/DefaultPolicy\//,
    reason:
      "BucketDeployment's own grants: read the CDK asset bucket, write the Airflow bucket's objects (the DAGs and requirements.txt).",
  },
  {
    rule: 'IAM5',
    path: /^AirflowExecutionRole\/DefaultPolicy\//,
    reason:
      "The MWAA execution role as AWS documents it: read the environment's bucket, its own log groups and celery queues (names chosen by MWAA), and the account-level calls (DescribeLogGroups, PutMetricData, GetAccountPublicAccessBlock) that take no resource.",
  },
  {
    rule: 'IAM5',
    path: /^ConnectorRole\/DefaultPolicy\//,
    reason:
      "MSK Connect's execution role: the cluster UUID is unknown before the cluster exists, the connector's internal topics and groups are named __amazon_msk_connect_* by MSK Connect, and the sink writes the pipeline bucket's objects.",
  },
  {
    rule: 'RDS3',
    path: /^SourceDatabase\//,
    reason:
      'The optional source database holds generated rows that pinpipe seed recreates: one zone is enough.',
  },
  {
    rule: 'RDS10',
    path: /^SourceDatabase\//,
    reason:
      'cdk destroy must remove the practice database; a final snapshot is kept (RemovalPolicy.SNAPSHOT).',
  },
  {
    rule: 'RDS11',
    path: /^SourceDatabase\//,
    reason:
      "The port is the profile's mysql.port, so the emulator and seed connect unchanged; only the client host's security group reaches it.",
  },
];

/** The part of a finding id that names the rule: AwsSolutions-IAM5[Resource::*] → IAM5. */
export function ruleOf(finding: string): string {
  return finding.replace(/^AwsSolutions-/, '').replace(/\[.*$/, '');
}

export interface NagFinding {
  finding: string;
  path: string;
  severity: string;
}

/** Runs the AwsSolutions pack over a stack and returns the findings not acknowledged. */
export function nagFindings(stack: Stack): NagFinding[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      finding: v.ruleName,
      path: (r as { constructPath?: string }).constructPath ?? '',
      severity: v.severity ?? 'error',
    })),
  );
}

/**
 * Acknowledges each finding that ACCEPTED_FINDINGS lists (Validations.of(construct).acknowledge with
 * its reason) and returns those that remain.
 */
export function applySuppressions(stack: Stack): NagFinding[] {
  const byPath = new Map(stack.node.findAll().map((c) => [c.node.path, c]));
  const prefix = `${stack.node.path}/`;
  const open: NagFinding[] = [];
  for (const f of nagFindings(stack)) {
    const relative = f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path;
    const accepted = ACCEPTED_FINDINGS.find((a) => a.rule === ruleOf(f.finding) && a.path.test(relative));
    const construct = byPath.get(f.path);
    if (accepted && construct)
      Validations.of(construct).acknowledge({ id: f.finding, reason: accepted.reason });
    else open.push(f);
  }
  return open;
}
