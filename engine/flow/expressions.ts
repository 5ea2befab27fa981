/**
 * Compiles a flow's JSONata expressions (`when`, `mapping`) once, at load. A syntax error becomes
 * a diagnostic at the character the author typed: JSONata reports a character offset into the
 * expression, which FlowSource maps back through the YAML scalar (block indentation, quotes).
 */
import jsonata from 'jsonata';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkExpressionPaths } from './expression-paths.ts';
import { knownFunctions, unknownCalls } from './expression-functions.ts';
import { mappingFunctions } from './mapping-functions.ts';
import type { FlowSource } from './flow-source.ts';

export type Expression = jsonata.Expression;

export interface CompiledExpressions {
  when?: Expression;
  mapping?: Expression;
}

interface JsonataSyntaxError {
  code: string;
  position?: number;
  /** The offending token; numbers come as numbers. */
  token?: string | number;
  message: string;
}

function isJsonataError(err: unknown): err is JsonataSyntaxError {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && typeof (err as { message?: unknown }).message === 'string';
}

/**
 * The 0-based index in `expr` of the character to blame. JSONata's `position` is the offset just
 * past the offending token, so the token starts `token.length` before it; at the end of the
 * expression, blame the last thing written rather than trailing whitespace.
 */
export function errorIndex(expr: string, err: JsonataSyntaxError): number {
  const position = Math.min(err.position ?? 0, expr.length);
  const token = err.token === undefined || err.token === '(end)' ? undefined : String(err.token);
  let index = token === undefined ? position - 1 : position - token.length;
  // A string or `quoted name` token is reported without its quotes: blame the opening one.
  const quote = expr[position - 1];
  if (token !== undefined && (quote === '"' || quote === "'" || quote === '`') && expr[position - token.length - 2] === quote) {
    index = position - token.length - 2;
  }
  index = Math.max(0, Math.min(index, expr.length - 1));
  while (index > 0 && /\s/.test(expr[index] ?? '')) index -= 1;
  return index;
}

export function compileExpressions(data: unknown, source: FlowSource, file: string): { expressions: CompiledExpressions; diagnostics: Diagnostic[] } {
  const expressions: CompiledExpressions = {};
  const diagnostics: Diagnostic[] = [];
  if (data === null || typeof data !== 'object') return { expressions, diagnostics };
  for (const field of ['when', 'mapping'] as const) {
    const expr = (data as Record<string, unknown>)[field];
    // Non-strings and empty strings are the schema's to report.
    if (typeof expr !== 'string' || expr.trim() === '') continue;
    try {
      expressions[field] = jsonata(expr);
      for (const call of unknownCalls(expressions[field].ast())) {
        // The position is just past the name; the call is blamed at its `$`.
        const at = source.locateInString([field], Math.max(0, call.position - call.name.length - 1));
        const engine = mappingFunctions.map((f) => `$${f.name}`).join(', ');
        const hint = didYouMean(call.name, knownFunctions);
        diagnostics.push(diagnostic('FLOW_ERR_JSONATA_FUNCTION', { field, name: call.name, engine, hint }, file, at, field));
      }
      diagnostics.push(...checkExpressionPaths(field, expr, expressions[field], data, source, file));
    } catch (err) {
      // JSONata throws plain objects, not Errors.
      if (!isJsonataError(err)) throw err;
      const at = source.locateInString([field], errorIndex(expr, err));
      diagnostics.push(diagnostic('FLOW_ERR_JSONATA_SYNTAX', { field, detail: err.message, jsonataCode: err.code }, file, at, field));
    }
  }
  return { expressions, diagnostics };
}
