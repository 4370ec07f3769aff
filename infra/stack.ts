import {
  BootstraplessSynthesizer,
  CfnOutput,
  DefaultStackSynthesizer,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Profile, InfraVariant } from '../src/config/index.ts';
import { integrationUri } from '../src/provision/index.ts';
import { OUTPUTS } from './outputs.ts';
import { declareCore } from './sandbox-part.ts';
import { declareAwsPart } from './aws-part.ts';

export interface PipelineStackProps extends StackProps {
  profile: Profile;
  variant: InfraVariant;
}

/**
 * The original pipeline's infrastructure for one profile. The "sandbox" variant declares only what
 * MiniStack's CloudFormation implements (bucket, REST API, API key and usage plan, secret, role and
 * policy) with its gateway forwarding to the profile's proxy.url; the "aws" variant adds the VPC,
 * MSK, the client host, MSK Connect, MWAA and the optional database, its gateway forwarding to the
 * client host through a VPC link.
 */
export class PipelineStack extends Stack {
  readonly profile: Profile;
  readonly variant: InfraVariant;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, {
      ...props,
      // the aws variant has assets (the DAGs, custom resources): they need a bootstrapped account,
      // which the CDK CLI checks before anything is created; the sandbox variant has none
      synthesizer:
        props.variant === 'sandbox' ? new BootstraplessSynthesizer() : new DefaultStackSynthesizer(),
    });
    const { profile, variant } = props;
    this.profile = profile;
    this.variant = variant;
    this.templateOptions.description = `pinpipe: the Pinterest data pipeline for ${profile.pipelineId} (${variant})`;

    new CfnOutput(this, OUTPUTS.region, { value: profile.region, description: 'region' });
    new CfnOutput(this, OUTPUTS.pipelineId, { value: profile.pipelineId, description: 'pipelineId' });
    new CfnOutput(this, OUTPUTS.sink, { value: profile.infra.sink, description: 'infra.sink' });
    if (variant === 'sandbox') {
      declareCore(this, profile, { integrationUri: integrationUri(profile) });
      new CfnOutput(this, OUTPUTS.proxyUrl, { value: profile.proxy.url, description: 'proxy.url' });
      return;
    }
    declareAwsPart(this, profile);
  }
}
