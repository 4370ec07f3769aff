import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { Profile } from '../config/index.ts';

/** Fixed keys for emulators only (MiniStack accepts any); never used when aws.endpoint is unset. */
const EMULATOR_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Common AWS SDK v3 client options: region, endpoint and credentials source from the profile. */
export function awsClientConfig(profile: Profile): {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
} {
  const base: { region: string; endpoint?: string; credentials?: AwsCredentialIdentity } = {
    region: profile.region,
  };
  if (profile.aws.endpoint) base.endpoint = profile.aws.endpoint;
  // default-chain: leave credentials unset so the SDK walks env, shared config/SSO, instance role.
  if (profile.aws.credentials === 'static') base.credentials = EMULATOR_CREDENTIALS;
  return base;
}
