import { APIGatewayClient, type APIGatewayClientConfig } from '@aws-sdk/client-api-gateway';
import type { Profile } from '../config/index.ts';
import { awsClientConfig } from './aws.ts';

export function createApiGateway(
  profile: Profile,
  overrides: Partial<APIGatewayClientConfig> = {},
): APIGatewayClient {
  return new APIGatewayClient({ ...awsClientConfig(profile), maxAttempts: 3, ...overrides });
}

/**
 * The URL at which a deployed stage is invoked. MiniStack (like LocalStack) serves stages at
 * <endpoint>/restapis/<id>/<stage>/_user_request_/; AWS at https://<id>.execute-api.<region>.amazonaws.com/<stage>.
 */
export function invokeUrl(profile: Profile, restApiId: string): string {
  if (profile.aws.endpoint) {
    return `${profile.aws.endpoint.replace(/\/$/, '')}/restapis/${restApiId}/${profile.apiGateway.stage}/_user_request_`;
  }
  return `https://${restApiId}.execute-api.${profile.region}.amazonaws.com/${profile.apiGateway.stage}`;
}
