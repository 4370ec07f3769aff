import type { Profile } from './schema.ts';

/** Small rules a schema cannot express; each returns errors (fatal) or warnings. */
export function checkProfile(p: Profile): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (p.aws.credentials === 'static' && !p.aws.endpoint) {
    errors.push(
      'aws.credentials: "static" is only for an emulator; set aws.endpoint or use "default-chain".',
    );
  }
  if (p.mysql.password && p.mysql.passwordEnv) {
    errors.push('mysql: set either password (sandbox only) or passwordEnv, not both.');
  }
  if (p.mysql.password && !p.sandbox.enabled) {
    errors.push(
      'mysql.password: a stored password is only allowed on sandbox profiles; use mysql.passwordEnv.',
    );
  }
  const sec = p.kafka.security;
  if (sec.mode === 'sasl-scram' && (!sec.username || !sec.passwordEnv || !sec.mechanism)) {
    errors.push('kafka.security: sasl-scram needs mechanism, username and passwordEnv.');
  }
  if (sec.mode === 'sasl-oauthbearer' && !sec.principal && !sec.tokenEnv) {
    errors.push(
      'kafka.security: sasl-oauthbearer needs principal (sandbox: mint a token) or tokenEnv (a variable holding one).',
    );
  }
  if (sec.mode === 'msk-iam') {
    const region = sec.region ?? p.region;
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
      errors.push(
        `${sec.region ? 'kafka.security.region' : 'region'}: msk-iam signs tokens for an AWS region such as us-east-1 (got "${region}").`,
      );
    }
    if (p.aws.credentials === 'static') {
      errors.push(
        'aws.credentials: msk-iam needs real credentials from the AWS default chain; use "default-chain".',
      );
    }
    const odd = p.kafka.brokers.filter((b) => !/:(9098|9198)$/.test(b));
    if (odd.length > 0) {
      warnings.push(
        `kafka.brokers: MSK serves IAM authentication on port 9098 (9198 public); check ${odd.join(', ')}.`,
      );
    }
  }
  // Profile strings that become file and folder names (status/sink-<groupId>.json; the batch's
  // cache <workDir>/cache/<bucket>/<topicsDir>/…): no way out of their folder.
  if (/[/\\\0]|\.\./.test(p.sink.groupId)) {
    errors.push('sink.groupId: it becomes a file name (status/sink-<groupId>.json): no "/", "\\" or "..".');
  }
  const dirs = p.s3.topicsDir.split('/');
  if (
    /[\\\0]/.test(p.s3.topicsDir) ||
    p.s3.topicsDir.startsWith('/') ||
    dirs.some((d) => d === '..' || d === '.')
  ) {
    errors.push(
      's3.topicsDir: it becomes folder and file names in the batch\'s cache: relative, "/" between names, no "\\", "." or ".." (e.g. topics or data/topics).',
    );
  }
  if (p.infra.sink === 'msk-connect' && !p.infra.connectPluginS3Uri) {
    errors.push(
      'infra.connectPluginS3Uri: the MSK Connect sink needs the Confluent S3 sink connector zip you uploaded, e.g. s3://my-artifacts/confluentinc-kafka-connect-s3-10.5.13.zip (or set infra.sink: host).',
    );
  }
  if (p.infra.vpc && p.infra.vpc.privateSubnetIds.length !== p.infra.vpc.availabilityZones.length) {
    errors.push(
      'infra.vpc: give one private subnet per availability zone (privateSubnetIds and availabilityZones of equal length).',
    );
  }
  if (p.sink.rotateScheduleIntervalMs > 0 && p.sink.rotateScheduleIntervalMs < 100) {
    warnings.push('sink.rotateScheduleIntervalMs under 100 ms writes very small objects.');
  }
  return { errors, warnings };
}
