import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PipelineStack } from './stack.ts';

/**
 * cdk-nag AwsSolutions findings accepted for this stack, each with the reason; a finding not listed
 * here fails `cdk synth` and the unit test.
 */
export function applySuppressions(stack: PipelineStack): void {
  const ack = (scope: IConstruct | undefined, id: string, reason: string) => {
    if (scope) Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
  };
  void ack;
  void stack;
}
