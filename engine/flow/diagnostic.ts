/** One problem in one flow file, placed at the key or value it is about. */
import type { ErrorParams } from '../errors.ts';
import type { ConfigProblem } from '../ports/adapter.ts';
import { flowErrors, warningCodes, type FlowErrorCode } from './errors.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based; file-level problems (missing, empty, binary) sit at 1:1. */
  line: number;
  col: number;
  severity: Severity;
  /** FLOW_ERR_…: the engine's own (engine/flow/errors.ts) or an adapter's check of its block. */
  code: FlowErrorCode | (string & {});
  message: string;
  /** YAML path of the offending key or value, e.g. `policy.groups.new[0]`; '' for the whole file. */
  path: string;
}

export interface Position {
  line: number;
  col: number;
}

export function diagnostic(code: FlowErrorCode, params: ErrorParams, file: string, at: Position, path = ''): Diagnostic {
  return {
    file,
    line: at.line,
    col: at.col,
    severity: warningCodes.has(code) ? 'warning' : 'error',
    code,
    message: flowErrors[code](params).message,
    path,
  };
}

/** An adapter's finding about its own block, placed in the file. */
export function adapterDiagnostic(problem: ConfigProblem, file: string, at: Position, path: string): Diagnostic {
  return { file, line: at.line, col: at.col, severity: problem.severity, code: problem.error.code, message: problem.error.message, path };
}

/** `path:line:col: error CODE message (yaml.path)`: the form editors and CI problem matchers read. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.path ? ` (${d.path})` : '';
  return `${d.file}:${d.line}:${d.col}: ${d.severity} ${d.code} ${d.message}${where}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
