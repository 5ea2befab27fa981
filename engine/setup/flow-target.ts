import { formatDiagnostic } from '../flow/diagnostic.ts';
import { loadFlowDir, type LoadedFlow } from '../flow/load-dir.ts';
import { secretContext } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';
import { compileFlow } from '../pipeline/compile.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';

export interface FlowTargetOptions {
  /** Folder searched when `target` is a flow id rather than a path (default "flows"). */
  flowsDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Adjusts the flow before it compiles (tests point the destination at the fake). */
  override?: (flow: FlowConfig) => FlowConfig;
}

export type FlowTarget = { ok: true; flow: CompiledFlow; loaded: LoadedFlow } | { ok: false; problems: string[] };

/**
 * The flow a set-up command names: a flow id (looked up under the flows folder), a flow file or
 * a flow folder; loaded, validated and compiled the way the server does it, secrets resolved.
 */
export function loadFlowTarget(target: string, options: FlowTargetOptions = {}): FlowTarget {
  const byPath = loadFlowDir([target]);
  const set = byPath.flows.length > 0 ? byPath : loadFlowDir([options.flowsDir ?? 'flows']);
  const loaded = set.flows.find((f) => f.flow.flow === target) ?? (byPath.flows.length === 1 ? byPath.flows[0] : undefined);
  if (!loaded) {
    const problems = set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    return { ok: false, problems: [...problems, `no valid flow "${target}"`] };
  }
  const config = options.override ? options.override(loaded.flow) : loaded.flow;
  try {
    return { ok: true, loaded, flow: compileFlow(config, loaded.file, secretContext(loaded.file, options.env)) };
  } catch (err) {
    return { ok: false, problems: [`${loaded.file}: ${(err as Error).message}`] };
  }
}
