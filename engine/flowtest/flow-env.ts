import { adapterBlock } from '../flow/adapter-block.ts';
import { parseSecretRef } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';
import type { SourceTestingKit } from '../ports/adapter.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';

/** The secrets one test run gives a flow, and how the flow is pointed at the fake. */
export interface FlowTestEnv {
  env: NodeJS.ProcessEnv;
  /** The source's secret values by key (absent when the flow does not use that secret). */
  sourceSecrets: Record<string, string | undefined>;
  /** The source's testing kit: it signs deliveries. */
  kit: SourceTestingKit;
  override: (flow: FlowConfig) => FlowConfig;
}

/**
 * An env in which each of the flow's `${env:…}` references resolves: the destination's credential
 * to the fake account's token, the source's secrets to fresh values its testing kit makes. A
 * `${file:…}` reference is swapped for an env one, so no secret file is needed to run the tests.
 */
export function flowTestEnv(config: FlowConfig, apiToken: string, baseUrl: string): FlowTestEnv {
  const env: NodeJS.ProcessEnv = {};
  const bind = (ref: unknown, key: string, value: string): string | undefined => {
    if (typeof ref !== 'string') return undefined;
    const parsed = parseSecretRef(ref);
    const name = parsed?.kind === 'env' ? parsed.name : `FLOWTEST_${key.toUpperCase()}`;
    env[name] = value;
    return `\${env:${name}}`;
  };
  const [sourceName, sourceBlock] = adapterBlock(config.source, 'source');
  const [destName, destBlock] = adapterBlock(config.destination, 'destination');
  const source = sourceAdapter(sourceName);
  const dest = destinationAdapter(destName);
  if (!source) throw new Error(`unknown source adapter "${sourceName}"`);
  if (!dest) throw new Error(`unknown destination adapter "${destName}"`);
  const sourceSecrets: Record<string, string | undefined> = {};
  const sourceRefs: Record<string, string> = {};
  for (const { key } of source.secretFields) {
    if (sourceBlock[key] === undefined) continue;
    const value = source.testing.testSecret(key);
    sourceSecrets[key] = value;
    sourceRefs[key] = bind(sourceBlock[key], key, value)!;
  }
  const credentialRef = bind(destBlock[dest.credentialKey], dest.credentialKey, apiToken)!;
  const override = (flow: FlowConfig): FlowConfig => {
    const [, block] = adapterBlock(flow.source, 'source');
    const [, target] = adapterBlock(flow.destination, 'destination');
    return {
      ...flow,
      source: { [sourceName]: { ...block, ...sourceRefs } },
      destination: { [destName]: dest.testing.pointAt(target, { credentialRef, url: baseUrl }) },
    };
  };
  return { env, sourceSecrets, kit: source.testing, override };
}
