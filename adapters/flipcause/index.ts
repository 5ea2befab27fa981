/**
 * The Flipcause source adapter: its definition (config schema, factory, secrets, checks, intake
 * quirks, testing kit) plus the pure pieces (intake, signature, normaliser, drift check) for
 * tests and benchmarks. adapters/index.ts registers the definition with the engine.
 */
import { randomBytes } from 'node:crypto';
import type { SourceAdapter } from '../../engine/ports/adapter.ts';
import { detectExport } from './backfill-record.ts';
import { FORMAT_HINTS } from './csv-columns.ts';
import { exportSample } from './export-sample.ts';
import { checkFlipcauseConfig } from './config-check.ts';
import type { FlipcauseSourceConfig } from './config.ts';
import configSchema from './config.schema.json' with { type: 'json' };
import { fixtureBytes, fixtureNames, fixtureRecords } from './fixtures.ts';
import { moveToAccount } from './move-account.ts';
import { SIGNATURE_HEADERS, signBody } from './signature.ts';
import { createSource } from './source.ts';

export const flipcauseSource: SourceAdapter<FlipcauseSourceConfig> = {
  name: 'flipcause',
  configSchema,
  create: (config, ctx) => createSource(config, ctx),
  secretFields: [
    { key: 'signing_secret', identifiesCustomer: true },
    { key: 'url_token', identifiesCustomer: true },
  ],
  check: checkFlipcauseConfig,
  // Raw payload names that carry donor data (PD_… are the donor's own fields).
  piiKeys: ['^pd_', 'support_message'],
  intakeSettings: (config) => ({
    sinceMs: Date.parse(config.since),
    triggers: new Set(config.triggers),
  }),
  // Flipcause labels deliveries "application-json" and worse.
  quirks: { anyContentType: true },
  exports: {
    detect: (config, headers) => detectExport(config.org_id, headers),
    formats: FORMAT_HINTS,
    sample: (config) => exportSample(config.org_id),
  },
  testing: {
    testSecret: (key) => (key === 'signing_secret' ? `whsec_flowtest_${randomBytes(16).toString('hex')}` : randomBytes(24).toString('hex')),
    sign(body, secrets) {
      const headers: Record<string, string> = {};
      if (secrets.signing_secret) headers[SIGNATURE_HEADERS[0]] = signBody(body, secrets.signing_secret);
      return secrets.url_token ? { headers, token: secrets.url_token } : { headers };
    },
    fixtureNames,
    fixtureBytes,
    fixtureRecords,
    moveToAccount,
  },
};

export type { FlipcauseSourceConfig } from './config.ts';
export { createSource, MIN_TOKEN_LENGTH } from './source.ts';
export { parseDelivery, DEFAULT_LIMITS, type IntakeLimits, type ParseOptions } from './intake.ts';
export { authenticate, type AuthSecrets } from './auth.ts';
export { signBody, verifySignature, safeEqual, signaturesOf, SIGNATURE_HEADERS } from './signature.ts';
export { normalise } from './normalise.ts';
export { driftWarnings, driftValidatorsCode } from './drift.ts';
export { KNOWN_TRIGGERS, kindOf, type RecordKind } from './triggers.ts';
export { FcErrors } from './errors.ts';
export { fixtureBytes, fixtureNames, fixtureRecords, shiftDates } from './fixtures.ts';
