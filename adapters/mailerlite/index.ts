/**
 * The MailerLite destination adapter: its definition (config schema, factory, secrets, testing
 * kit), registered by adapters/index.ts. The client is exported for direct use (tests, benchmarks).
 */
import type { AdapterContext, DestinationAdapter } from '../../engine/ports/adapter.ts';
import type { MailerLiteDestinationConfig } from './config.ts';
import configSchema from './config.schema.json' with { type: 'json' };
import { createClient } from './client.ts';
import { mailerliteTesting } from './testing.ts';

export const mailerliteDestination: DestinationAdapter<MailerLiteDestinationConfig> = {
  name: 'mailerlite',
  configSchema,
  create(config: MailerLiteDestinationConfig, ctx: AdapterContext) {
    const options: Parameters<typeof createClient>[0] = { apiKey: ctx.secret(config.api_key) };
    if (config.base_url !== undefined) options.baseUrl = config.base_url;
    if (config.timeout_ms !== undefined) options.timeoutMs = config.timeout_ms;
    return createClient(options);
  },
  secretFields: [{ key: 'api_key', identifiesCustomer: false }],
  credentialKey: 'api_key',
  pace: 'MailerLite allows one account 120 API requests a minute, for all the flows that write to it',
  // MailerLite's default field keys (z_i_p is its postcode) and the contact fields flows map to.
  piiKeys: ['^z_i_p$'],
  testing: mailerliteTesting,
};

export type { MailerLiteDestinationConfig } from './config.ts';
export { createClient, DEFAULT_BASE_URL, DEFAULT_API_VERSION } from './client.ts';
export type { MailerLiteClientOptions, MailerLiteHttpClient } from './client.ts';
export { classify, MlErrors } from './errors.ts';
export { ops, isImport } from './operations.ts';
export { WRITE_BY_STATE, requestsFor } from './intents.ts';
export { BATCH_LIMIT } from './batch.ts';
export type { BatchCost } from './batch-counting.ts';
export { RateBudget, rateBudgetFor, accountKeyOf, resetRateBudgets } from './rate-budget.ts';
export type { RateBudgetOptions, RateBudgetSnapshot, Lease, ServerAnswer, BatchAnswerFacts } from './rate-budget.ts';
export type { RetryPolicy } from './retry.ts';
export type * from './types.ts';
export { startFakeMailerLite, observeAccount } from './testing.ts';
// The fake's helper routes and options, for the test that `engine help fake-mailerlite` documents them all.
export { registerAdminRoutes } from './fake/admin.ts';
export { defaultFakeOptions } from './fake/options.ts';
export type { FakeState } from './fake/state.ts';
export type {
  AccountSeed, AccountView, FakeMailerLite, FakeOptions, FaultSpec, LoggedItem, LoggedRequest, StartFakeOptions, SubscriberSeed,
} from './fake/index.ts';
