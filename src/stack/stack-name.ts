import type { Profile } from '../config/index.ts';

/** The CloudFormation stack of a profile: infra.stackName, else Pinpipe-<pipelineId>. */
export function stackNameFor(profile: Profile): string {
  return profile.infra.stackName ?? `Pinpipe-${profile.pipelineId}`;
}
