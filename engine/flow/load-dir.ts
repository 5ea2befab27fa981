/**
 * Loads a fleet of flows from files and directories, as `engine validate` and the server do:
 * every file's own diagnostics plus the checks across files (duplicate ids, shared secrets).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { compareDiagnostics, diagnostic, hasErrors, type Diagnostic } from './diagnostic.ts';
import { ExpressionCache, type CompiledExpressions } from './expressions.ts';
import { findFlowFiles } from './discover.ts';
import { checkFleet } from './fleet-check.ts';
import { parseFlowFile, type LoadOptions, type ParsedFlowFile } from './load-file.ts';
import type { FlowConfig } from './types.ts';

export interface LoadedFlow {
  file: string;
  flow: FlowConfig;
  expressions: CompiledExpressions;
}

export interface FlowSetResult {
  /** Flows without errors, in file order; a flow that clashes with an earlier file is left out. */
  flows: LoadedFlow[];
  /** Every file looked at, sorted. */
  files: string[];
  /** Sorted by file, line and column. */
  diagnostics: Diagnostic[];
}

/** The flow files `paths` name (files as given, directories searched), and diagnostics for paths that name none. */
export function flowFilesIn(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // A missing path is reported by the loader as FLOW_ERR_FILE_MISSING.
    }
    if (!isDir) {
      add(path);
      continue;
    }
    const found = findFlowFiles(path);
    if (found.length === 0) diagnostics.push(diagnostic('FLOW_ERR_NO_FLOWS', {}, path, { line: 1, col: 1 }));
    found.forEach(add);
  }
  files.sort();
  return { files, diagnostics };
}

export function loadFlowDir(paths: readonly string[], options: LoadOptions = {}): FlowSetResult {
  const found = flowFilesIn(paths);
  // One cache for the load: a fleet of copies of one template compiles its expressions once.
  const expressions = new ExpressionCache();
  const parsed: ParsedFlowFile[] = found.files.map((file) => parseFlowFile(file, options, expressions));
  const fleet = checkFleet(parsed);
  const diagnostics = [...found.diagnostics, ...fleet, ...parsed.flatMap((p) => p.result.diagnostics)].sort(compareDiagnostics);
  const clashing = new Set(fleet.filter((d) => d.severity === 'error').map((d) => d.file));
  const flows: LoadedFlow[] = [];
  for (const { result } of parsed) {
    if (!result.flow || !result.expressions || clashing.has(result.file) || hasErrors(result.diagnostics)) continue;
    flows.push({ file: result.file, flow: result.flow, expressions: result.expressions });
  }
  return { flows, files: found.files, diagnostics };
}
