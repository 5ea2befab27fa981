/**
 * The Flipcause source adapter: registered by name with the engine, plus the pure pieces
 * (intake, signature, normaliser, drift check) for tests, the backfill command and benchmarks.
 */
import { type SourceAdapter, registerSource } from '../../engine/registry.ts';
import type { FlipcauseSourceConfig } from '../../engine/flow/types.ts';
import configSchema from './config.schema.json' with { type: 'json' };
import { createSource } from './source.ts';

export const flipcauseSource: SourceAdapter<FlipcauseSourceConfig> = {
  name: 'flipcause',
  configSchema,
  create: (config, ctx) => createSource(config, ctx),
};

registerSource(flipcauseSource);

export { createSource, MIN_TOKEN_LENGTH } from './source.ts';
export { parseDelivery, DEFAULT_LIMITS, type IntakeLimits, type ParseOptions } from './intake.ts';
export { authenticate, type AuthSecrets } from './auth.ts';
export { signBody, verifySignature, safeEqual, signaturesOf, SIGNATURE_HEADERS } from './signature.ts';
export { normalise } from './normalise.ts';
export { driftWarnings } from './drift.ts';
export { KNOWN_TRIGGERS, kindOf, type RecordKind } from './triggers.ts';
export { FcErrors } from './errors.ts';
export type { NormalisedEvent, Contact, EventInfo, Phone, Address } from './event.ts';
