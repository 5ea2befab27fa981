/**
 * The Flipcause source: one flow's configuration turned into the engine's Source (authenticate,
 * parse, normalise). Secrets are resolved once, when the flow loads.
 */
import type { AdapterContext } from '../../engine/ports/adapter.ts';
import type { InboundRequest, IntakeRecord, Source } from '../../engine/ports/source.ts';
import type { FlipcauseSourceConfig } from './config.ts';
import { type AuthSecrets, authenticate } from './auth.ts';
import { FcErrors } from './errors.ts';
import { FlipcauseConfigErrors } from './config-check.ts';
import { type IntakeLimits, parseDelivery } from './intake.ts';
import { driftWarnings, prepareDriftChecks } from './drift.ts';
import { groupKeys, normalise } from './normalise.ts';

/** Shortest URL token accepted once resolved (the config schema promises at least 24 characters). */
export const MIN_TOKEN_LENGTH = 24;

export function createSource(
  config: FlipcauseSourceConfig,
  ctx: AdapterContext,
  limits?: Partial<IntakeLimits>,
): Source {
  const secrets = resolveSecrets(config, ctx);
  const parseOptions = { orgId: config.org_id, ...(limits ? { limits } : {}) };
  prepareDriftChecks();
  return {
    authenticate(req: InboundRequest): void {
      authenticate(req, secrets);
    },
    parse(body: Buffer): IntakeRecord[] {
      return parseDelivery(body, parseOptions);
    },
    normalise,
    groupKeys,
    drift: driftWarnings,
  };
}

function resolveSecrets(config: FlipcauseSourceConfig, ctx: AdapterContext): AuthSecrets {
  if (config.signing_secret === undefined && config.url_token === undefined) throw FlipcauseConfigErrors.FLOW_ERR_AUTH_MISSING(); // the rule `validate` reports with its position
  const secrets: AuthSecrets = {};
  if (config.signing_secret !== undefined) {
    const secret = ctx.secret(config.signing_secret);
    if (secret.trim() === '') throw FcErrors.FC_ERR_CONFIG_SECRET_EMPTY({ field: 'signing_secret' });
    secrets.signingSecret = secret;
  }
  if (config.url_token !== undefined) {
    const token = ctx.secret(config.url_token);
    if (token.trim() === '') throw FcErrors.FC_ERR_CONFIG_SECRET_EMPTY({ field: 'url_token' });
    if (token.length < MIN_TOKEN_LENGTH) {
      throw FcErrors.FC_ERR_CONFIG_TOKEN_SHORT({ length: token.length, min: MIN_TOKEN_LENGTH });
    }
    secrets.urlToken = token;
  }
  return secrets;
}
