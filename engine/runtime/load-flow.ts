/**
 * The one way a flow is loaded: read, validated (schema defaults filled in, expressions compiled
 * once, engine/flow) and compiled into a runnable flow (compile-flow.ts), reusing what validation
 * compiled. The server's fleet, every command, `engine test`, backfill and the demo load through here.
 */
import { existsSync } from 'node:fs';
import { formatDiagnostic, type Diagnostic } from '../flow/diagnostic.ts';
import { loadFlowDir, type LoadedFlow } from '../flow/load-dir.ts';
import type { LoadOptions } from '../flow/load-file.ts';
import { secretContext } from '../flow/secrets.ts';
import type { FlowConfig } from '../flow/types.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { compileFlow } from './compile-flow.ts';

export interface CompileOptions {
  /** Where `${env:…}` secrets come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Adjusts each flow before it compiles (the demo, `engine test` and tests point flows at a fake). */
  override?: (flow: FlowConfig) => FlowConfig;
}

export interface FleetLoad {
  /** The flows that loaded and compiled, in file order. */
  flows: CompiledFlow[];
  /** Why each file that did not load is not running: its error diagnostics or its compile failure. */
  problems: Map<string, string[]>;
  /** Every file looked at, sorted. */
  files: string[];
  diagnostics: Diagnostic[];
}

function compileLoaded(loaded: LoadedFlow, options: CompileOptions): CompiledFlow {
  const config = options.override ? options.override(loaded.flow) : loaded.flow;
  return compileFlow(config, loaded.file, secretContext(loaded.file, options.env), loaded.expressions);
}

/** Loads, validates and compiles every flow the paths name (files as given, folders searched). */
export function loadFleet(paths: readonly string[], options: CompileOptions & LoadOptions = {}): FleetLoad {
  const { flows, diagnostics, files } = loadFlowDir(paths, options);
  const problems = new Map<string, string[]>();
  const add = (file: string, problem: string): void => {
    problems.set(file, [...(problems.get(file) ?? []), problem]);
  };
  for (const d of diagnostics) if (d.severity === 'error') add(d.file, formatDiagnostic(d));
  const compiled: CompiledFlow[] = [];
  for (const loaded of flows) {
    try {
      compiled.push(compileLoaded(loaded, options));
    } catch (err) {
      add(loaded.file, `${loaded.file}: ${(err as Error).message}`);
    }
  }
  return { flows: compiled, problems, files, diagnostics };
}

/**
 * The flow a command names, validated but not compiled (no secrets needed): a flow file or
 * folder, or a flow id looked up under `flowsDir`. Or the problems to print (the file's own when
 * the path exists).
 */
export function findFlow(target: string, flowsDir: string): { flow: LoadedFlow } | { problems: string[] } {
  const byPath = existsSync(target) ? loadFlowDir([target]) : null;
  const set = byPath ?? loadFlowDir([flowsDir]);
  const found = set.flows.find((f) => f.flow.flow === target) ?? (byPath?.flows.length === 1 ? byPath.flows[0] : undefined);
  if (found) return { flow: found };
  const errors = set.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  return { problems: [...errors, `no valid flow "${target}"`] };
}

export interface FlowTargetOptions extends CompileOptions {
  /** Folder searched when `target` is a flow id rather than a path (default "flows"). */
  flowsDir?: string;
}

export type FlowTarget = { ok: true; flow: CompiledFlow; loaded: LoadedFlow } | { ok: false; problems: string[] };

/** The flow a command names (see findFlow), compiled the way the server does it, secrets resolved. */
export function loadFlow(target: string, options: FlowTargetOptions = {}): FlowTarget {
  const found = findFlow(target, options.flowsDir ?? 'flows');
  if ('problems' in found) return { ok: false, problems: found.problems };
  const loaded = found.flow;
  try {
    return { ok: true, loaded, flow: compileLoaded(loaded, options) };
  } catch (err) {
    return { ok: false, problems: [`${loaded.file}: ${(err as Error).message}`] };
  }
}

/** For commands: the compiled flow, or undefined after writing its problems to stderr. */
export function flowOrReport(target: string, options: FlowTargetOptions = {}): CompiledFlow | undefined {
  const loaded = loadFlow(target, options);
  if (loaded.ok) return loaded.flow;
  for (const p of loaded.problems) process.stderr.write(p + '\n');
  return undefined;
}
