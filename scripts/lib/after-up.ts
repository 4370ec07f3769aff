import type { Profile } from '../../src/config/index.ts';
import { seedIfEmpty } from '../../src/seed/index.ts';
import { provisionGateway } from '../../src/provision/index.ts';

/**
 * What `sandbox:up` (and the test setup) does once the services are healthy: seed the source tables
 * when they are empty and provision the API Gateway REST API in front of the proxy.
 */
export async function afterUp(
  profile: Profile,
  say: (msg: string) => void,
  opts: { seed: boolean; provision: boolean },
): Promise<void> {
  if (opts.seed) {
    const r = await seedIfEmpty(profile, say);
    if (r.seeded) say(`seeded ${r.rows} rows per table`);
  }
  if (opts.provision) {
    const r = await provisionGateway(profile, say);
    if (r) say(`API Gateway invoke URL: ${r.invokeUrl}`);
  }
}
