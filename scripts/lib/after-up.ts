import type { Profile } from '../../src/config/schema.ts';

/**
 * What `sandbox:up` does once the services are healthy: seed the source tables when they are empty
 * (issue 3) and provision the API Gateway REST API in front of the proxy (issue 4).
 */
export async function afterUp(
  _profile: Profile,
  _say: (msg: string) => void,
  _opts: { seed: boolean; provision: boolean },
): Promise<void> {
  // Filled in by the seed and provision stages.
}
