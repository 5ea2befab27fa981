import { findFlow } from '../flow/find-flow.ts';
import type { LoadedFlow } from '../flow/load-dir.ts';
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
  const found = findFlow(target, options.flowsDir ?? 'flows');
  if ('problems' in found) return { ok: false, problems: found.problems };
  const loaded = found.flow;
  const config = options.override ? options.override(loaded.flow) : loaded.flow;
  try {
    return { ok: true, loaded, flow: compileFlow(config, loaded.file, secretContext(loaded.file, options.env)) };
  } catch (err) {
    return { ok: false, problems: [`${loaded.file}: ${(err as Error).message}`] };
  }
}

/** For the set-up commands: the compiled flow, or undefined after writing its problems to stderr. */
export function flowOrReport(target: string, options: FlowTargetOptions = {}): CompiledFlow | undefined {
  const loaded = loadFlowTarget(target, options);
  if (loaded.ok) return loaded.flow;
  for (const p of loaded.problems) process.stderr.write(p + '\n');
  return undefined;
}
