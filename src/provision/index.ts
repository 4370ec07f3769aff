export { planProvision, formatPlan, integrationUri, type ProvisionPlan } from './plan.ts';
export { applyProvision, ensureBucket, ensureTopics, applyGateway, type ApplyResult } from './apply.ts';
export { ensureGateway, findRestApi } from './gateway.ts';
export { provisionGateway, resolveInvokeUrl } from './rest-api.ts';
