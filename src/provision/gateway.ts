import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetIntegrationCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  type APIGatewayClient,
  type Resource,
  type RestApi,
} from '@aws-sdk/client-api-gateway';
import type { ProvisionPlan } from './plan.ts';

/**
 * The REST API in front of the proxy, created step by step and only where missing, so running it twice
 * changes nothing. Works the same against MiniStack and AWS.
 */
export interface GatewayResult {
  restApiId: string;
  /** What was created or changed; empty when everything was already there. */
  changes: string[];
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFoundException' || e?.$metadata?.httpStatusCode === 404;
}

/** The REST API with this name (the first, oldest one if several), or undefined. */
export async function findRestApi(client: APIGatewayClient, name: string): Promise<RestApi | undefined> {
  let position: string | undefined;
  const found: RestApi[] = [];
  do {
    const page = await client.send(new GetRestApisCommand({ limit: 500, position }));
    found.push(...(page.items ?? []).filter((a) => a.name === name));
    position = page.position && page.position !== position ? page.position : undefined;
  } while (position);
  found.sort((a, b) => (a.createdDate?.getTime() ?? 0) - (b.createdDate?.getTime() ?? 0));
  return found[0];
}

async function resources(client: APIGatewayClient, restApiId: string): Promise<Resource[]> {
  const out: Resource[] = [];
  let position: string | undefined;
  do {
    const page = await client.send(new GetResourcesCommand({ restApiId, limit: 500, position }));
    out.push(...(page.items ?? []));
    position = page.position && page.position !== position ? page.position : undefined;
  } while (position);
  return out;
}

export async function hasStage(client: APIGatewayClient, restApiId: string, stage: string): Promise<boolean> {
  const r = await client.send(new GetStagesCommand({ restApiId }));
  return (r.item ?? []).some((s) => s.stageName === stage);
}

export async function ensureGateway(
  client: APIGatewayClient,
  plan: ProvisionPlan['restApi'],
): Promise<GatewayResult> {
  const changes: string[] = [];
  let api = await findRestApi(client, plan.name);
  if (!api) {
    api = await client.send(
      new CreateRestApiCommand({
        name: plan.name,
        description: 'pinpipe: API Gateway in front of the Kafka REST proxy (user posting emulation)',
        endpointConfiguration: { types: ['REGIONAL'] },
      }),
    );
    changes.push(`created REST API ${plan.name} (${api.id})`);
  }
  const restApiId = api.id!;
  const all = await resources(client, restApiId);
  const root = all.find((r) => r.path === '/');
  if (!root?.id) throw new Error(`REST API ${restApiId} has no root resource`);
  let proxy = all.find((r) => r.parentId === root.id && r.pathPart === plan.resource.pathPart);
  if (!proxy) {
    proxy = await client.send(
      new CreateResourceCommand({ restApiId, parentId: root.id, pathPart: plan.resource.pathPart }),
    );
    changes.push(`created resource /${plan.resource.pathPart}`);
  }
  const resourceId = proxy.id!;
  const httpMethod = plan.method.httpMethod;
  const method = await client
    .send(new GetMethodCommand({ restApiId, resourceId, httpMethod }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (!method) {
    await client.send(
      new PutMethodCommand({
        restApiId,
        resourceId,
        httpMethod,
        authorizationType: plan.method.authorizationType,
        requestParameters: plan.method.requestParameters,
      }),
    );
    changes.push(`created method ${httpMethod} /${plan.resource.pathPart}`);
  }
  const integration = await client
    .send(new GetIntegrationCommand({ restApiId, resourceId, httpMethod }))
    .catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  if (
    !integration?.uri ||
    integration.uri !== plan.integration.uri ||
    integration.type !== plan.integration.type
  ) {
    await client.send(
      new PutIntegrationCommand({
        restApiId,
        resourceId,
        httpMethod,
        type: plan.integration.type,
        integrationHttpMethod: plan.integration.integrationHttpMethod,
        uri: plan.integration.uri,
        requestParameters: plan.integration.requestParameters,
        passthroughBehavior: 'WHEN_NO_MATCH',
      }),
    );
    changes.push(
      `${integration ? 'updated' : 'created'} ${plan.integration.type} integration → ${plan.integration.uri}`,
    );
  }
  if (changes.length > 0 || !(await hasStage(client, restApiId, plan.stage))) {
    await client.send(
      new CreateDeploymentCommand({ restApiId, stageName: plan.stage, description: 'pinpipe provision' }),
    );
    changes.push(`deployed stage ${plan.stage}`);
  }
  return { restApiId, changes };
}
