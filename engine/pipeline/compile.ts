import type { AdapterContext } from '../registry.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import type { FlowConfig } from '../flow/types.ts';
import { compilePolicy } from '../policy/decide.ts';
import type { CompiledFlow } from './compiled-flow.ts';
import { compileExpression } from './expression.ts';
import { DEFAULT_MAPPING } from './default-mapping.ts';
import '../../adapters/index.ts';

export const DEFAULT_SETTLE_SECONDS = 30;

function only(block: Record<string, unknown>, what: string): [string, unknown] {
  const entries = Object.entries(block);
  const first = entries[0];
  if (entries.length !== 1 || !first) throw new Error(`${what} must name exactly one adapter`);
  return first;
}

/**
 * Compiles a validated flow: creates its adapters through the registry and compiles `when`,
 * `mapping` and the policy. Runs once per load; nothing here happens per record.
 */
export function compileFlow(config: FlowConfig, file: string, ctx: AdapterContext): CompiledFlow {
  const [sourceName, sourceConfig] = only(config.source as Record<string, unknown>, 'source');
  const [destName, destConfig] = only(config.destination as Record<string, unknown>, 'destination');
  const sourceDef = sourceAdapter(sourceName);
  const destDef = destinationAdapter(destName);
  if (!sourceDef) throw new Error(`unknown source adapter "${sourceName}"`);
  if (!destDef) throw new Error(`unknown destination adapter "${destName}"`);
  const destination = destDef.create(destConfig as never, ctx);
  const fc = config.source.flipcause;
  return {
    id: config.flow,
    file,
    config,
    source: sourceDef.create(sourceConfig as never, ctx),
    destination,
    accountKey: destination.accountKey,
    sinceMs: Date.parse(fc.since),
    triggers: new Set(fc.triggers ?? ['new_activity', 'new_transaction', 'new_contact', 'update_contact']),
    settleMs: (config.settle_seconds ?? DEFAULT_SETTLE_SECONDS) * 1000,
    when: config.when ? compileExpression('when', config.when) : null,
    mapping: compileExpression('mapping', config.mapping ?? DEFAULT_MAPPING),
    policy: config.policy,
    decide: compilePolicy(config.policy),
  };
}
