import { App } from 'aws-cdk-lib';
import { PinpipeError } from '../src/errors.ts';
import { type Profile, AWS_REGION_PATTERN, type InfraVariant } from '../src/config/index.ts';
import { PipelineStack } from './stack.ts';

export { OUTPUTS, type OutputName } from './outputs.ts';
export { connectorProperties, connectorName, connectorTopicsRegex } from './connector.ts';
export { PipelineStack } from './stack.ts';
export { API_KEY_FIELD, clusterName } from './sandbox-part.ts';

/** The variant a profile declares: infra.variant, else "sandbox" for sandbox profiles, else "aws". */
export function infraVariant(profile: Profile): InfraVariant {
  return profile.infra.variant ?? (profile.sandbox.enabled ? 'sandbox' : 'aws');
}

/** The stack's name: infra.stackName, else Pinpipe-<pipelineId>. */
export function stackName(profile: Profile): string {
  return profile.infra.stackName ?? `Pinpipe-${profile.pipelineId}`;
}

/**
 * Problems that stop the app before anything is declared (the profile schema and rules already
 * caught missing fields): each names what to set.
 */
export function infraProblems(profile: Profile, variant: InfraVariant): string[] {
  const problems: string[] = [];
  if (variant === 'aws' && !AWS_REGION_PATTERN.test(profile.region)) {
    problems.push(`region: "${profile.region}" is not an AWS region; set region to one such as us-east-1.`);
  }
  if (variant === 'aws' && !profile.infra.host.pinpipeSource) {
    problems.push(
      'infra.host.pinpipeSource: the client host installs pinpipe with npm install -g <source>; set it to a git URL (git+https://…#<ref>) or a tarball URL.',
    );
  }
  return problems;
}

export interface BuildOptions {
  /** Default: infraVariant(profile). */
  variant?: InfraVariant;
  /** The App's output folder (default: a temporary one, as the CDK picks). */
  outdir?: string;
  app?: App;
}

/** Declares the stack for a profile in an App (a new one unless given); throws CONFIG_INVALID first. */
export function buildStack(profile: Profile, opts: BuildOptions = {}): { app: App; stack: PipelineStack } {
  const variant = opts.variant ?? infraVariant(profile);
  const problems = infraProblems(profile, variant);
  if (problems.length > 0) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile ${profile.name} cannot be turned into a stack:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these fields and retry; nothing was created.`,
    );
  }
  const app = opts.app ?? new App({ outdir: opts.outdir });
  const stack = new PipelineStack(app, stackName(profile), {
    profile,
    variant,
    env: { region: profile.region },
  });
  return { app, stack };
}

/** The synthesized CloudFormation template (JSON) of a profile's stack, in process (no CLI, no AWS). */
export function synthTemplate(profile: Profile, variant?: InfraVariant): Record<string, unknown> {
  const { app, stack } = buildStack(profile, { variant });
  const assembly = app.synth();
  return assembly.getStackArtifact(stack.artifactId).template as Record<string, unknown>;
}
