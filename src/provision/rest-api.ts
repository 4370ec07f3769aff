import type { Profile } from '../config/index.ts';
import { createApiGateway, invokeUrl } from '../clients/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { applyGateway } from './apply.ts';
import { findRestApi, hasStage } from './gateway.ts';
import { planProvision } from './plan.ts';

/**
 * The API Gateway REST API in front of the proxy ({proxy+}, ANY, HTTP proxy integration, deployed
 * stage), created where missing; used by `sandbox:up`. Safe to run twice.
 */
export async function provisionGateway(
  profile: Profile,
  say: (msg: string) => void,
): Promise<{ restApiId: string; invokeUrl: string }> {
  const r = await applyGateway(profile, planProvision(profile).restApi);
  for (const c of r.changes) say(c);
  return { restApiId: r.restApiId, invokeUrl: r.invokeUrl };
}

/**
 * Where clients post: profile.apiGateway.invokeUrl when set, otherwise the deployed stage of the REST
 * API named profile.apiGateway.restApiName. No trailing slash; append `/topics/<topic>`.
 */
export async function resolveInvokeUrl(profile: Profile): Promise<string> {
  if (profile.apiGateway.invokeUrl) return profile.apiGateway.invokeUrl.replace(/\/+$/, '');
  const client = createApiGateway(profile);
  const name = profile.apiGateway.restApiName;
  try {
    const api = await findRestApi(client, name);
    if (!api?.id) {
      throw new PinpipeError('GATEWAY_FAILED', `No API Gateway REST API named "${name}"`, {
        fix: 'run pinpipe provision (or npm run sandbox:up), or set apiGateway.invokeUrl.',
      });
    }
    if (!(await hasStage(client, api.id, profile.apiGateway.stage))) {
      throw new PinpipeError(
        'GATEWAY_FAILED',
        `The REST API "${name}" (${api.id}) has no deployed stage "${profile.apiGateway.stage}"`,
        { fix: 'run pinpipe provision.' },
      );
    }
    return invokeUrl(profile, api.id);
  } catch (err) {
    if (err instanceof PinpipeError) throw err;
    throw new PinpipeError(
      'GATEWAY_FAILED',
      `Cannot look up the REST API "${name}": ${describeError(err)}. ` +
        (profile.aws.endpoint
          ? `Is the emulator up at ${profile.aws.endpoint}? Run npm run sandbox:up.`
          : 'Check AWS access (pinpipe doctor).'),
      { cause: err },
    );
  } finally {
    client.destroy();
  }
}
