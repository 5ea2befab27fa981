import type { AdapterContext } from '../ports/adapter.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import { adapterBlock } from '../flow/adapter-block.ts';
import type { FlowConfig } from '../flow/types.ts';
import { compilePolicy } from '../policy/decide.ts';
import type { CompiledFlow } from './compiled-flow.ts';
import { compileExpression } from './expression.ts';
import { DEFAULT_MAPPING } from './default-mapping.ts';

export const DEFAULT_SETTLE_SECONDS = 30;

/**
 * Compiles a validated flow: creates its adapters through the registry (the composition root
 * registers them: adapters/index.ts) and compiles `when`,
 * `mapping` and the policy. Runs once per load; nothing here happens per record.
 */
export function compileFlow(config: FlowConfig, file: string, ctx: AdapterContext): CompiledFlow {
  const [sourceName, sourceConfig] = adapterBlock(config.source, 'source');
  const [destName, destConfig] = adapterBlock(config.destination, 'destination');
  const sourceDef = sourceAdapter(sourceName);
  const destDef = destinationAdapter(destName);
  if (!sourceDef) throw new Error(`unknown source adapter "${sourceName}"`);
  if (!destDef) throw new Error(`unknown destination adapter "${destName}"`);
  const destination = destDef.create(destConfig as never, ctx);
  const intake = sourceDef.intakeSettings(sourceConfig as never);
  return {
    id: config.flow,
    file,
    config,
    source: sourceDef.create(sourceConfig as never, ctx),
    sourceAdapter: sourceDef,
    sourceConfig,
    destination,
    destinationAdapter: destDef,
    accountKey: destination.accountKey,
    sinceMs: intake.sinceMs,
    triggers: intake.triggers,
    settleMs: (config.settle_seconds ?? DEFAULT_SETTLE_SECONDS) * 1000,
    when: config.when ? compileExpression('when', config.when) : null,
    mapping: compileExpression('mapping', config.mapping ?? DEFAULT_MAPPING),
    policy: config.policy,
    decide: compilePolicy(config.policy),
  };
}
