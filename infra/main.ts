import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadProfile, readEnv } from '../src/config/index.ts';
import { isPinpipeError } from '../src/errors.ts';
import { buildStack } from './index.ts';
import { applySuppressions } from './nag.ts';

/**
 * The CDK app (`npx cdk synth|diff|deploy` from infra/): the stack of one pinpipe profile, checked by
 * cdk-nag's AwsSolutions pack. The profile: `-c profile=<name or path>`, else PINPIPE_PROFILE, else
 * profiles/aws.yaml; `-c variant=aws|sandbox` overrides the profile's variant.
 */
const app = new App();
const env = readEnv();
const name = (app.node.tryGetContext('profile') as string | undefined) ?? env.profile ?? 'aws';
const variant = app.node.tryGetContext('variant') as 'aws' | 'sandbox' | undefined;
try {
  const { profile } = loadProfile(name, env);
  const { stack } = buildStack(profile, { app, variant });
  applySuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
} catch (err) {
  if (!isPinpipeError(err)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
}
