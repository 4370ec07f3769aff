import { GetRestApisCommand } from '@aws-sdk/client-api-gateway';
import { createApiGateway, invokeUrl } from '../clients/apigateway.ts';
import type { Profile } from '../config/schema.ts';
import { PinpipeError, describeError } from '../errors.ts';

export type TargetKind = 'gateway' | 'proxy' | 'url';

/**
 * Where the emulator posts: `--url` wins; `--direct` is the proxy itself (profile.proxy.url);
 * otherwise the API Gateway stage in front of it, as in the original (spec §2).
 */
export async function resolveTarget(
  profile: Profile,
  opts: { url?: string | undefined; direct?: boolean | undefined },
): Promise<{ url: string; kind: TargetKind }> {
  if (opts.url) return { url: opts.url, kind: 'url' };
  if (opts.direct) return { url: profile.proxy.url, kind: 'proxy' };
  return { url: await gatewayUrl(profile), kind: 'gateway' };
}

async function gatewayUrl(profile: Profile): Promise<string> {
  if (profile.apiGateway.invokeUrl) return profile.apiGateway.invokeUrl;
  const client = createApiGateway(profile);
  try {
    let position: string | undefined;
    do {
      const page = await client.send(new GetRestApisCommand({ limit: 500, position }));
      const api = page.items?.find((a) => a.name === profile.apiGateway.restApiName);
      if (api?.id) return invokeUrl(profile, api.id);
      position = page.position;
    } while (position);
  } catch (err) {
    throw new PinpipeError(
      'GATEWAY_FAILED',
      `Could not look up the API Gateway REST API "${profile.apiGateway.restApiName}" (${describeError(err)}). ` +
        'Check aws.endpoint / credentials, or post straight to the proxy with --direct.',
      { cause: err },
    );
  } finally {
    client.destroy();
  }
  throw new PinpipeError(
    'GATEWAY_FAILED',
    `No API Gateway REST API named "${profile.apiGateway.restApiName}" exists yet. ` +
      'Create it with `pinpipe provision`, or post straight to the proxy with --direct.',
  );
}
