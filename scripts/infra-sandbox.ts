// npm run infra:sandbox [-- --destroy] — the CDK app's sandbox variant deployed to (or removed from)
// MiniStack's CloudFormation, without the CDK CLI: synthesized in process, deployed by src/stack.
import { runScript } from './lib/run-script.ts';
import { stackName, synthTemplate } from '../infra/index.ts';
import { deployStack, destroyStack } from '../src/stack/index.ts';
import { PinpipeError } from '../src/errors.ts';

await runScript(
  'infra:sandbox',
  "Deploy the CDK app's sandbox variant (bucket, REST API, API key and usage plan, secret, role) for the profile to the sandbox's MiniStack CloudFormation; --destroy removes it (the bucket is retained unless infra.retainBucket is false).",
  (c) =>
    c
      .option('--destroy', 'delete the stack instead of deploying it')
      .option('--timeout <seconds>', 'longest wait for the stack', '300'),
  async ({ profile, say, opts }) => {
    if (!profile.aws.endpoint) {
      throw new PinpipeError(
        'USAGE',
        `Profile ${profile.name} has no aws.endpoint: this script deploys to the sandbox`,
        {
          fix: 'on AWS, run npx cdk diff and npx cdk deploy from infra/ (docs/aws.md)',
        },
      );
    }
    const name = stackName(profile);
    const timeoutMs = Number(opts.timeout) * 1000;
    const onProgress = (line: string) => say(line);
    if (opts.destroy) {
      const r = await destroyStack(profile, { stackName: name, timeoutMs, onProgress });
      say(r.operation === 'none' ? `no stack ${name}` : `${name} ${r.status} in ${r.seconds.toFixed(1)} s`);
      if (r.operation !== 'none' && profile.infra.retainBucket) say(`bucket ${profile.s3.bucket} retained`);
      return;
    }
    const t = Date.now();
    say(`synthesizing the sandbox variant of ${name} for profile ${profile.name}`);
    const template = synthTemplate(profile, 'sandbox');
    say(`synthesized in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const r = await deployStack(profile, { stackName: name, template, timeoutMs, onProgress });
    say(
      r.operation === 'none'
        ? `${name} is up to date (${r.status})`
        : `${name} ${r.status} in ${r.seconds.toFixed(1)} s`,
    );
    for (const [k, v] of Object.entries(r.outputs)) process.stdout.write(`${k}\t${v}\n`);
    say(
      `next: pinpipe profile from-stack --stack ${name} --out <file>   (then pinpipe doctor --profile <file>)`,
    );
  },
);
