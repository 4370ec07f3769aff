import type { Profile } from '../config/schema.ts';
import { resolveInvokeUrl } from '../provision/index.ts';

export type TargetKind = 'gateway' | 'proxy' | 'url';

/**
 * Where the emulator posts: `--url` wins; `--direct` is the proxy itself (profile.proxy.url);
 * otherwise the API Gateway stage in front of it, as in the original (docs/spec.md#emulation). An unprovisioned
 * gateway fails with GATEWAY_FAILED and says to run `pinpipe provision` (or use --direct).
 */
export async function resolveTarget(
  profile: Profile,
  opts: { url?: string | undefined; direct?: boolean | undefined },
): Promise<{ url: string; kind: TargetKind }> {
  if (opts.url) return { url: opts.url, kind: 'url' };
  if (opts.direct) return { url: profile.proxy.url, kind: 'proxy' };
  return { url: await resolveInvokeUrl(profile), kind: 'gateway' };
}
