/**
 * Compiles a flow's JSONata expressions (`when`, `mapping`) once, at load. A syntax error becomes
 * a diagnostic at the character the author typed: JSONata reports a character offset into the
 * expression, which FlowSource maps back through the YAML scalar (block indentation, quotes).
 */
import { compileExpression, type CompiledExpression } from '../expression/compile.ts';
import { knownFunctions, unknownCalls } from '../expression/calls.ts';
import { mappingFunctions } from '../expression/functions.ts';
import { errorIndex, isJsonataError } from '../expression/syntax-error.ts';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { didYouMean } from './did-you-mean.ts';
import { checkExpressionPaths } from './expression-paths.ts';
import type { FlowSource } from './flow-source.ts';

/** The flow's `when` and `mapping`, compiled once here and run as they are (engine/runtime/compile-flow.ts). */
export interface CompiledExpressions {
  when?: CompiledExpression;
  mapping?: CompiledExpression;
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
      expressions[field] = compileExpression(field, expr);
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
