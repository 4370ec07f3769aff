import { CloudFormationClient, type CloudFormationClientConfig } from '@aws-sdk/client-cloudformation';
import type { Profile } from '../config/index.ts';
import { awsClientConfig } from './aws.ts';

/**
 * The one place CloudFormation clients are built: the profile's region, credentials and emulator
 * endpoint (MiniStack implements CloudFormation for the sandbox variant of the stack).
 */
export function createCloudFormation(
  profile: Profile,
  overrides: Partial<CloudFormationClientConfig> = {},
): CloudFormationClient {
  return new CloudFormationClient({
    ...awsClientConfig(profile),
    maxAttempts: 3,
    // an endpoint that accepts connections and never answers fails the call instead of hanging it
    requestHandler: { connectionTimeout: 5000, requestTimeout: 30_000, throwOnRequestTimeout: true },
    ...overrides,
  });
}
