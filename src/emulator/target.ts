import { readSecret, type Profile } from '../config/index.ts';
import { PinpipeError } from '../errors.ts';
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

/**
 * The X-API-Key header when the profile names a key variable (`proxy.apiKeyEnv`), as the proxy
 * requires it; a named but unset variable stops the run before anything is sent. The key itself is
 * never printed.
 */
export function proxyAuthHeaders(profile: Profile, env?: NodeJS.ProcessEnv): Record<string, string> {
  const name = profile.proxy.apiKeyEnv;
  if (!name) return {};
  const key = readSecret(name, env);
  if (!key)
    throw new PinpipeError(
      'CONFIG_INVALID',
      `proxy.apiKeyEnv names ${name}, which is not set: export it with the proxy's API key, or remove proxy.apiKeyEnv from the profile.`,
    );
  return { 'x-api-key': key };
}
