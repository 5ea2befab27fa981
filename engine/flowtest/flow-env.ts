import { randomBytes } from 'node:crypto';
import { parseSecretRef } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';

/** The secrets one test run gives a flow, and how the flow is pointed at the fake. */
export interface FlowTestEnv {
  env: NodeJS.ProcessEnv;
  signingSecret: string | undefined;
  urlToken: string | undefined;
  override: (flow: FlowConfig) => FlowConfig;
}

/**
 * An env in which each of the flow's `${env:…}` references resolves: the API key to the fake
 * account's token, the signing secret and URL token to fresh random values. A `${file:…}`
 * reference is swapped for an env one, so no secret file is needed to run the tests.
 */
export function flowTestEnv(config: FlowConfig, apiToken: string, baseUrl: string): FlowTestEnv {
  const env: NodeJS.ProcessEnv = {};
  const bind = (ref: string | undefined, fallbackName: string, value: string): string | undefined => {
    if (ref === undefined) return undefined;
    const parsed = parseSecretRef(ref);
    const name = parsed?.kind === 'env' ? parsed.name : fallbackName;
    env[name] = value;
    return `\${env:${name}}`;
  };
  const fc = config.source.flipcause;
  const signingSecret = fc.signing_secret === undefined ? undefined : `whsec_flowtest_${randomBytes(16).toString('hex')}`;
  const urlToken = fc.url_token === undefined ? undefined : randomBytes(24).toString('hex');
  const signingRef = bind(fc.signing_secret, 'FLOWTEST_SIGNING_SECRET', signingSecret ?? '');
  const tokenRef = bind(fc.url_token, 'FLOWTEST_URL_TOKEN', urlToken ?? '');
  const keyRef = bind(config.destination.mailerlite.api_key, 'FLOWTEST_MAILERLITE_KEY', apiToken)!;
  const override = (flow: FlowConfig): FlowConfig => {
    const source = { ...flow.source.flipcause };
    if (signingRef !== undefined) source.signing_secret = signingRef;
    if (tokenRef !== undefined) source.url_token = tokenRef;
    return {
      ...flow,
      source: { flipcause: source },
      destination: { mailerlite: { ...flow.destination.mailerlite, api_key: keyRef, base_url: baseUrl } },
    };
  };
  return { env, signingSecret, urlToken, override };
}
