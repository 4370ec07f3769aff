import { Template } from 'aws-cdk-lib/assertions';
import { buildStack, type PipelineStack } from '../../infra/index.ts';
import { applySuppressions, type NagFinding } from '../../infra/nag.ts';
import type { InfraVariant, Profile } from '../../src/config/index.ts';

export interface Synthesized {
  stack: PipelineStack;
  template: Template;
  json: {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown }>;
    Outputs: Record<string, { Value: unknown }>;
  };
  /** cdk-nag AwsSolutions findings left after the stack's written acknowledgements. */
  openFindings: NagFinding[];
}

/** Declares and synthesizes a profile's stack in process (no CLI, no AWS), with cdk-nag applied. */
export function synth(profile: Profile, variant?: InfraVariant): Synthesized {
  const { stack } = buildStack(profile, { variant });
  const openFindings = applySuppressions(stack);
  const template = Template.fromStack(stack);
  return { stack, template, json: template.toJSON() as Synthesized['json'], openFindings };
}

/** The logical ids and properties of a template's resources of one type. */
export function resourcesOf(s: Synthesized, type: string): Array<[string, Record<string, unknown>]> {
  return Object.entries(s.json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}

/** The one resource of a type (fails when there are none or several). */
export function onlyOf(s: Synthesized, type: string): Record<string, unknown> {
  const all = resourcesOf(s, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]![1];
}

/**
 * Evaluates the intrinsics a policy document uses (Fn::Join, Ref to pseudo parameters) with fixed
 * values, so a synthesized document compares with a plain JSON one.
 */
export function resolveIntrinsics(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, refs));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Ref' in o && typeof o.Ref === 'string' && o.Ref in refs) return refs[o.Ref];
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, refs)).join(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveIntrinsics(v, refs)]));
  }
  return value;
}
