import YAML from 'yaml';
import { invokeUrl } from '../clients/apigateway.ts';
import type { Profile } from '../config/index.ts';

/**
 * Pure mapping from a deployed stack's outputs to the profile fields they fill, and the comparison
 * of a profile with them (`pinpipe profile from-stack`). The output keys are those the CDK app in
 * infra/ declares; an output the stack does not have leaves its field as the base profile has it.
 */

/** A profile field as a path of keys, e.g. ['s3', 'bucket']. */
export type FieldPath = readonly string[];

export type FieldValue = string | number | string[];

export interface DerivedField {
  path: FieldPath;
  value: FieldValue;
  /** The output(s) it comes from. */
  from: string;
}

interface Rule {
  output: string;
  path: FieldPath;
  parse?: (raw: string) => FieldValue;
}

/** Output key → profile field. */
export const OUTPUT_FIELDS: readonly Rule[] = [
  { output: 'PipelineId', path: ['pipelineId'] },
  { output: 'Region', path: ['region'] },
  { output: 'BucketName', path: ['s3', 'bucket'] },
  {
    output: 'BootstrapBrokers',
    path: ['kafka', 'brokers'],
    parse: (raw) =>
      raw
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b !== ''),
  },
  { output: 'RestApiName', path: ['apiGateway', 'restApiName'] },
  { output: 'StageName', path: ['apiGateway', 'stage'] },
  { output: 'ProxyUrl', path: ['proxy', 'url'] },
  { output: 'DatabaseHost', path: ['mysql', 'host'] },
  { output: 'DatabasePort', path: ['mysql', 'port'], parse: Number },
];

/** Outputs that fill no field but that a user needs next; printed with what to do with them. */
export const INFO_OUTPUTS = [
  'ProxyApiKeySecretArn',
  'DatabaseSecretArn',
  'KafkaClusterName',
  'ClientHostInstanceId',
  'MwaaWebUrl',
] as const;

/** The JSON field of the proxy's API key in its secret (the stack's ProxyApiKeySecretArn). */
export const API_KEY_SECRET_FIELD = 'apiKey';

/**
 * The fields a stack's outputs give, for a base profile. The invoke URL is derived from RestApiId the
 * way pinpipe invokes a stage (on the sandbox: the emulator's /restapis/<id>/<stage>/_user_request_,
 * since the stack's InvokeUrl output names the AWS domain), else taken from InvokeUrl.
 */
export function fieldsFromOutputs(base: Profile, outputs: Record<string, string>): DerivedField[] {
  const fields: DerivedField[] = [];
  for (const rule of OUTPUT_FIELDS) {
    const raw = outputs[rule.output];
    if (raw === undefined || raw === '') continue;
    fields.push({ path: rule.path, value: rule.parse ? rule.parse(raw) : raw, from: rule.output });
  }
  const stage = outputs.StageName || base.apiGateway.stage;
  const region = outputs.Region || base.region;
  if (outputs.RestApiId) {
    const at = { ...base, region, apiGateway: { ...base.apiGateway, stage } };
    fields.push({
      path: ['apiGateway', 'invokeUrl'],
      value: invokeUrl(at, outputs.RestApiId),
      from: outputs.StageName ? 'RestApiId, StageName' : 'RestApiId',
    });
  } else if (outputs.InvokeUrl) {
    fields.push({
      path: ['apiGateway', 'invokeUrl'],
      value: outputs.InvokeUrl.replace(/\/+$/, ''),
      from: 'InvokeUrl',
    });
  }
  return fields;
}

/** The shell command that prints one JSON field of a secret (Node reads the field: no jq needed). */
function secretField(arn: string, field: string, endpoint: string): string {
  return (
    `aws secretsmanager get-secret-value${endpoint} --secret-id ${arn} --query SecretString --output text | ` +
    `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).${field}'`
  );
}

/** Lines that tell what to do with the outputs that fill no field (never a secret's value). */
export function outputNotes(profile: Profile, outputs: Record<string, string>): string[] {
  const notes: string[] = [];
  const endpoint = profile.aws.endpoint ? ` --endpoint-url ${profile.aws.endpoint}` : '';
  const exportFrom = (what: string, env: string | undefined, fallback: string, field: string, arn: string) =>
    `${what} is in Secrets Manager: export ${env ?? fallback}="$(${secretField(arn, field, endpoint)})"` +
    (env
      ? ''
      : ` and set ${fallback === 'PINPIPE_PROXY_API_KEY' ? 'proxy.apiKeyEnv' : 'mysql.passwordEnv'} to that variable`);
  if (outputs.ProxyApiKeySecretArn) {
    notes.push(
      exportFrom(
        "the proxy's API key",
        profile.proxy.apiKeyEnv,
        'PINPIPE_PROXY_API_KEY',
        API_KEY_SECRET_FIELD,
        outputs.ProxyApiKeySecretArn,
      ),
    );
  }
  if (outputs.DatabaseSecretArn) {
    notes.push(
      exportFrom(
        'the database password',
        profile.mysql.passwordEnv,
        'PINPIPE_MYSQL_PASSWORD',
        'password',
        outputs.DatabaseSecretArn,
      ) + ' (its user is the field "username")',
    );
  }
  if (outputs.KafkaClusterName) {
    notes.push(
      `MSK cluster ${outputs.KafkaClusterName}: pinpipe doctor --print-policy --cluster ${outputs.KafkaClusterName}`,
    );
  }
  if (outputs.ClientHostInstanceId) {
    notes.push(
      `client host ${outputs.ClientHostInstanceId}: aws ssm start-session --target ${outputs.ClientHostInstanceId}`,
    );
  }
  if (outputs.MwaaWebUrl) notes.push(`Airflow (MWAA) web UI: ${outputs.MwaaWebUrl}`);
  return notes;
}

function valueAt(obj: unknown, path: FieldPath): unknown {
  let node = obj;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

export interface FieldCheck {
  path: string;
  from: string;
  expected: FieldValue;
  actual: unknown;
  ok: boolean;
}

/** Each derived field compared with the profile's value (exact; brokers in order). */
export function checkFields(profile: Profile, fields: DerivedField[]): FieldCheck[] {
  return fields.map((f) => {
    const actual = valueAt(profile, f.path);
    const norm = (v: unknown) =>
      f.path.join('.') === 'apiGateway.invokeUrl' && typeof v === 'string' ? v.replace(/\/+$/, '') : v;
    return {
      path: f.path.join('.'),
      from: f.from,
      expected: f.value,
      actual,
      ok: JSON.stringify(norm(actual)) === JSON.stringify(norm(f.value)),
    };
  });
}

/**
 * The base profile's YAML text with the derived fields set (comments and the other fields kept),
 * and `name` set when given.
 */
export function applyFields(yamlText: string, fields: DerivedField[], name?: string): string {
  const doc = YAML.parseDocument(yamlText);
  if (name !== undefined) doc.set('name', name);
  for (const f of fields) {
    const value = Array.isArray(f.value) ? doc.createNode(f.value) : f.value;
    doc.setIn([...f.path], value);
  }
  return doc.toString();
}
