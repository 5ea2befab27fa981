import type { AdapterContext } from '../ports/adapter.ts';
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import { compileExpression, type CompiledExpression } from '../expression/compile.ts';
import { DEFAULT_MAPPING } from '../expression/default-mapping.ts';
import { adapterBlock } from '../flow/adapter-block.ts';
import type { CompiledExpressions } from '../flow/expressions.ts';
import type { FlowConfig } from '../flow/types.ts';
import { compilePolicy } from '../policy/decide.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';

let defaultMapping: CompiledExpression | undefined;

/**
 * Compiles a validated flow: creates its adapters through the registry (the composition root
 * registers them: adapters/index.ts) and compiles the policy. `expressions` are the ones the
 * loader compiled while validating (load-flow.ts), reused as they are; a config built in code
 * (tests, benchmarks) has its own compiled here. Runs once per load; nothing here happens per record.
 * The config's defaults are the schema's, filled in by the loader.
 */
export function compileFlow(config: FlowConfig, file: string, ctx: AdapterContext, expressions?: CompiledExpressions): CompiledFlow {
  const [sourceName, sourceConfig] = adapterBlock(config.source, 'source');
  const [destName, destConfig] = adapterBlock(config.destination, 'destination');
  const sourceDef = sourceAdapter(sourceName);
  const destDef = destinationAdapter(destName);
  if (!sourceDef) throw new Error(`unknown source adapter "${sourceName}"`);
  if (!destDef) throw new Error(`unknown destination adapter "${destName}"`);
  const destination = destDef.create(destConfig as never, ctx);
  const intake = sourceDef.intakeSettings(sourceConfig as never);
  const compiled = expressions ?? {
    ...(config.when ? { when: compileExpression('when', config.when) } : {}),
    ...(config.mapping ? { mapping: compileExpression('mapping', config.mapping) } : {}),
  };
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
    settleMs: config.settle_seconds * 1000,
    when: compiled.when ?? null,
    // One compiled default mapping serves every flow that has none.
    mapping: compiled.mapping ?? (defaultMapping ??= compileExpression('mapping', DEFAULT_MAPPING)),
    policy: config.policy,
    decide: compilePolicy(config.policy),
  };
}
