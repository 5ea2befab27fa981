/**
 * Loading a flow for a command that does not use all of its secrets: check, setup and purge talk
 * to the destination only; explain uses none. The unused secrets are answered with the source
 * adapter's own well-formed test secrets (the flow still builds whole: the source normalises
 * sample events), and the parts they would unlock refuse to work, saying why.
 */
import { adapterBlock } from '../flow/adapter-block.ts';
import { resolveSecret } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import type { AdapterContext } from '../ports/adapter.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import { dirname, resolve } from 'node:path';

/** Which secrets a command uses: all, the destination's only, or none. */
export type SecretUse = 'all' | 'destination' | 'none';

export function sectionsFor(uses: SecretUse): Array<'source' | 'destination'> {
  return uses === 'all' ? ['source', 'destination'] : uses === 'destination' ? ['destination'] : [];
}

/** The compiled flow with what its stand-in secrets would unlock disabled. */
export function withoutUnusedSecrets(flow: CompiledFlow, uses: Exclude<SecretUse, 'all'>): CompiledFlow {
  const source = { ...flow.source, authenticate: refuseRequests };
  return uses === 'destination' ? { ...flow, source } : { ...flow, source, destination: unusableDestination(flow) };
}

function refuseRequests(): never {
  throw new Error('this flow was loaded without its source secrets and authenticates no request');
}

/** The destination of a flow loaded without its credential: every call fails, saying why. */
function unusableDestination(flow: CompiledFlow): CompiledFlow['destination'] {
  return new Proxy(flow.destination, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return () => Promise.reject(new Error('this flow was loaded without its destination secrets and calls no account'));
    },
  });
}

/**
 * A secret context that resolves the destination's references (unless `destinationToo`) and
 * answers the source's with the source adapter's own well-formed test secrets: commands that
 * never receive a webhook still build the whole flow (the source normalises their sample
 * events) without the real secrets.
 */
export function standInSecrets(config: FlowConfig, file: string, env: NodeJS.ProcessEnv, destinationToo: boolean): AdapterContext {
  const [sourceName, sourceBlock] = adapterBlock(config.source, 'source');
  const [destinationName, destinationBlock] = adapterBlock(config.destination, 'destination');
  const source = sourceAdapter(sourceName);
  const destinationRefs = new Set((destinationAdapter(destinationName)?.secretFields ?? []).map((f) => destinationBlock[f.key]));
  const standIns = new Map<string, string>();
  for (const { key } of source?.secretFields ?? []) {
    const ref = sourceBlock[key];
    if (typeof ref === 'string' && (destinationToo || !destinationRefs.has(ref))) standIns.set(ref, source!.testing.testSecret(key));
  }
  if (destinationToo) {
    for (const ref of destinationRefs) if (typeof ref === 'string' && !standIns.has(ref)) standIns.set(ref, 'stand-in credential, never sent');
  }
  const baseDir = dirname(resolve(file));
  return { secret: (ref) => standIns.get(ref) ?? resolveSecret(ref, env, baseDir) };
}
