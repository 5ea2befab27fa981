/**
 * The MailerLite destination adapter: its config schema and factory, registered by name. The
 * client is exported for direct use (set-up scripts, the demo, tests).
 */
import { registerDestination, type AdapterContext, type DestinationAdapter } from '../../engine/registry.ts';
import type { MailerLiteDestinationConfig } from '../../engine/flow/types.ts';
import configSchema from './config.schema.json' with { type: 'json' };
import { createClient } from './client.ts';

export const mailerliteDestination: DestinationAdapter<MailerLiteDestinationConfig> = {
  name: 'mailerlite',
  configSchema,
  create(config: MailerLiteDestinationConfig, ctx: AdapterContext) {
    const options: Parameters<typeof createClient>[0] = { apiKey: ctx.secret(config.api_key) };
    if (config.base_url !== undefined) options.baseUrl = config.base_url;
    if (config.timeout_ms !== undefined) options.timeoutMs = config.timeout_ms;
    return createClient(options);
  },
};

registerDestination(mailerliteDestination);

export { createClient, DEFAULT_BASE_URL, DEFAULT_API_VERSION } from './client.ts';
export type { MailerLiteClientOptions, MailerLiteHttpClient } from './client.ts';
export { classify, MlErrors } from './errors.ts';
export { ops, isImport } from './operations.ts';
export { BATCH_LIMIT } from './batch.ts';
export type { BatchCost } from './batch-counting.ts';
export { RateBudget, rateBudgetFor, accountKeyOf, resetRateBudgets } from './rate-budget.ts';
export type { RateBudgetOptions, RateBudgetSnapshot, Lease, ServerAnswer, BatchAnswerFacts } from './rate-budget.ts';
export type { RetryPolicy } from './retry.ts';
export type * from './types.ts';
