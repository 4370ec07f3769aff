import YAML from 'yaml';
import type { Profile } from '../src/config/index.ts';

/** Where the client host keeps pinpipe, its profile and its state. */
export const HOST_PATHS = {
  node: '/opt/node',
  pinpipe: '/opt/pinpipe',
  profile: '/etc/pinpipe/profile.yaml',
  env: '/etc/pinpipe/env',
  launcher: '/usr/local/bin/pinpipe-service',
  home: '/var/lib/pinpipe',
} as const;

/**
 * The profile the client host runs with: the user's profile for AWS, the proxy listening on every
 * interface of the host (the load balancer reaches it), state under the service's home. The brokers
 * come from the stack (PINPIPE_KAFKA__BROKERS in the service environment).
 */
export function hostProfile(profile: Profile): Record<string, unknown> {
  const { mysql, kafka, s3, apiGateway, proxy, sink } = profile;
  return {
    name: `${profile.name}-host`,
    description: `pinpipe client host for ${profile.pipelineId}`,
    pipelineId: profile.pipelineId,
    region: profile.region,
    aws: { credentials: 'default-chain' },
    mysql: { ...mysql, password: undefined },
    kafka,
    s3,
    apiGateway,
    proxy: { ...proxy, host: '0.0.0.0' },
    sink,
    batch: { workDir: `${HOST_PATHS.home}/batch` },
  };
}

/** The systemd services the host runs: the proxy always, the sink when pinpipe sinks (infra.sink host). */
export function hostServices(profile: Profile): Array<'proxy' | 'sink'> {
  return profile.infra.sink === 'host' ? ['proxy', 'sink'] : ['proxy'];
}

function unit(command: 'proxy' | 'sink'): string {
  return [
    '[Unit]',
    `Description=pinpipe ${command}`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'User=pinpipe',
    `WorkingDirectory=${HOST_PATHS.home}`,
    `EnvironmentFile=${HOST_PATHS.env}`,
    `ExecStart=${HOST_PATHS.launcher} ${command}`,
    'Restart=always',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
}

/**
 * The launcher: reads the proxy's API key from Secrets Manager into the variable the profile names
 * (never written to disk), then runs pinpipe.
 */
function launcher(apiKeyEnv: string | undefined): string {
  const lines = ['#!/bin/bash', 'set -euo pipefail'];
  if (apiKeyEnv) {
    lines.push(
      'secret=$(aws secretsmanager get-secret-value --secret-id "$PROXY_API_KEY_SECRET_ARN" --query SecretString --output text)',
      `export ${apiKeyEnv}="$(printf '%s' "$secret" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>process.stdout.write(JSON.parse(s).apiKey))')"`,
      'unset secret',
    );
  }
  lines.push(`exec ${HOST_PATHS.pinpipe}/bin/pinpipe "$@"`);
  return lines.join('\n');
}

function writeFile(file: string, content: string, mode: string): string[] {
  const marker = 'PINPIPE_EOF';
  return [`cat > ${file} <<'${marker}'`, content.replace(/\n$/, ''), marker, `chmod ${mode} ${file}`];
}

/**
 * The client host's user data (Amazon Linux 2023): installs Node.js from nodejs.org and pinpipe with
 * npm, writes the host profile, and runs `pinpipe proxy` (and `pinpipe sink`) as systemd services.
 * `bootstrapBrokers`, `proxyUrl`, `apiKeySecretArn` and `region` may be CloudFormation tokens.
 */
export function hostUserData(
  profile: Profile,
  refs: { bootstrapBrokers: string; proxyUrl: string; apiKeySecretArn: string; region: string },
): string[] {
  const node = profile.infra.host.nodeVersion;
  const tarball = `https://nodejs.org/dist/v${node}/node-v${node}-linux-x64.tar.xz`;
  const services = hostServices(profile);
  const env = [
    `PINPIPE_PROFILE=${HOST_PATHS.profile}`,
    `PINPIPE_KAFKA__BROKERS=[${refs.bootstrapBrokers}]`,
    // the gateway's target as the stack declares it, so provision on the host keeps the integration
    `PINPIPE_PROXY__URL=${refs.proxyUrl}`,
    `PROXY_API_KEY_SECRET_ARN=${refs.apiKeySecretArn}`,
    `AWS_REGION=${refs.region}`,
    'NODE_ENV=production',
  ].join('\n');
  return [
    'set -euo pipefail',
    'dnf install -y tar xz git',
    `mkdir -p ${HOST_PATHS.node} ${HOST_PATHS.pinpipe} /etc/pinpipe`,
    `curl -fsSL ${tarball} | tar -xJ -C ${HOST_PATHS.node} --strip-components=1`,
    `ln -sf ${HOST_PATHS.node}/bin/node /usr/local/bin/node`,
    `ln -sf ${HOST_PATHS.node}/bin/npm /usr/local/bin/npm`,
    `npm install -g --prefix ${HOST_PATHS.pinpipe} '${profile.infra.host.pinpipeSource ?? ''}'`,
    `id pinpipe >/dev/null 2>&1 || useradd --system --create-home --home-dir ${HOST_PATHS.home} pinpipe`,
    ...writeFile(HOST_PATHS.profile, YAML.stringify(hostProfile(profile)), '644'),
    ...writeFile(HOST_PATHS.env, env, '644'),
    ...writeFile(HOST_PATHS.launcher, launcher(profile.proxy.apiKeyEnv), '755'),
    ...services.flatMap((s) => writeFile(`/etc/systemd/system/pinpipe-${s}.service`, unit(s), '644')),
    'systemctl daemon-reload',
    `systemctl enable --now ${services.map((s) => `pinpipe-${s}`).join(' ')}`,
  ];
}
