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
import { unsetSecrets } from '../flow/unset-secrets.ts';
import { valueAt } from '../flow/secret-fields.ts';
import { compileFlow } from './compile-flow.ts';
import { sectionsFor, standInSecrets, withoutUnusedSecrets, type SecretUse } from './stand-in-secrets.ts';

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
  /** Worked examples (`example: true`) whose secrets are unset here: not served, and not an error. */
  notConfigured: NotConfigured[];
  /** Every file looked at, sorted. */
  files: string[];
  diagnostics: Diagnostic[];
}

export interface NotConfigured {
  flow: string;
  file: string;
  /** The unset references, e.g. "\${env:HOPE_SHELTER_MAILERLITE_KEY}". */
  missing: string[];
}

function configOf(loaded: LoadedFlow, options: CompileOptions): FlowConfig {
  return options.override ? options.override(loaded.flow) : loaded.flow;
}

function compileLoaded(loaded: LoadedFlow, options: CompileOptions, uses: SecretUse = 'all'): CompiledFlow {
  const config = configOf(loaded, options);
  if (uses === 'all') return compileFlow(config, loaded.file, secretContext(loaded.file, options.env), loaded.expressions);
  const ctx = standInSecrets(config, loaded.file, options.env ?? process.env, uses === 'none');
  return withoutUnusedSecrets(compileFlow(config, loaded.file, ctx, loaded.expressions), uses);
}

/** Every secret `uses` needs that does not resolve, one problem line each: all at once, not one per attempt. */
function unsetProblems(loaded: LoadedFlow, options: CompileOptions, uses: SecretUse): string[] {
  return unsetSecrets(configOf(loaded, options), loaded.file, options.env ?? process.env, sectionsFor(uses)).map((u) => `${loaded.file}: ${u.at}: ${u.message}`);
}

/**
 * One copy of the environment for a load: every read of process.env is a getenv(), a scan of the
 * whole environment, and a fleet's environment holds every flow's secrets. Copied key by key: a
 * spread reads each variable twice (its descriptor, then its value), twice the scans.
 */
function environmentCopy(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of Object.keys(process.env)) env[key] = process.env[key];
  return env;
}

/** Loads, validates and compiles every flow the paths name (files as given, folders searched). */
export function loadFleet(paths: readonly string[], given: CompileOptions & LoadOptions = {}): FleetLoad {
  const options = { ...given, env: given.env ?? environmentCopy() };
  const { flows, diagnostics, files } = loadFlowDir(paths, options);
  const problems = new Map<string, string[]>();
  const add = (file: string, problem: string): void => {
    problems.set(file, [...(problems.get(file) ?? []), problem]);
  };
  for (const d of diagnostics) if (d.severity === 'error') add(d.file, formatDiagnostic(d));
  const compiled: CompiledFlow[] = [];
  const notConfigured: NotConfigured[] = [];
  for (const loaded of flows) {
    const config = configOf(loaded, options);
    const unset = unsetSecrets(config, loaded.file, options.env ?? process.env);
    if (unset.length > 0 && config.example === true) {
      notConfigured.push({ flow: config.flow, file: loaded.file, missing: unset.map((u) => String(valueAt(config, u.path))) });
      continue;
    }
    if (unset.length > 0) {
      for (const problem of unsetProblems(loaded, options, 'all')) add(loaded.file, problem);
      continue;
    }
    try {
      compiled.push(compileLoaded(loaded, options));
    } catch (err) {
      add(loaded.file, `${loaded.file}: ${(err as Error).message}`);
    }
  }
  return { flows: compiled, problems, notConfigured, files, diagnostics };
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
  /**
   * Which secrets the command uses (default all). 'destination': it talks to the destination
   * account only and never receives a webhook (check, setup, purge, run, backfill); 'none': it only reads the
   * flow (explain). Secrets it does not use are not asked for.
   */
  uses?: SecretUse;
}

export type FlowTarget = { ok: true; flow: CompiledFlow; loaded: LoadedFlow } | { ok: false; problems: string[] };

/** The flow a command names (see findFlow), compiled the way the server does it, secrets resolved. */
export function loadFlow(target: string, options: FlowTargetOptions = {}): FlowTarget {
  const found = findFlow(target, options.flowsDir ?? 'flows');
  if ('problems' in found) return { ok: false, problems: found.problems };
  const loaded = found.flow;
  const unset = unsetProblems(loaded, options, options.uses ?? 'all');
  if (unset.length > 0) return { ok: false, problems: unset };
  try {
    return { ok: true, loaded, flow: compileLoaded(loaded, options, options.uses) };
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
