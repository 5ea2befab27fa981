/**
 * Compiles a flow's JSONata expressions (`when`, `mapping`) once, at load. A syntax error becomes
 * a diagnostic at the character the author typed: JSONata reports a character offset into the
 * expression, which FlowSource maps back through the YAML scalar (block indentation, quotes).
 *
 * A fleet's flows are mostly copies of one template, so what an expression's text alone decides
 * (its compiled form, unknown calls, path findings for a set of triggers) is worked out once per
 * load for every flow that has the same text (ExpressionCache); only the positions in each file
 * are the flow's own. Sharing is safe: nothing per flow is ever bound to a compiled expression
 * (the engine's functions are registered as it compiles, and evaluation takes only the input).
 */
import { compileExpression, type CompiledExpression } from '../expression/compile.ts';
import { knownFunctions, unknownCalls, type UnknownCall } from '../expression/calls.ts';
import { mappingFunctions } from '../expression/functions.ts';
import { errorIndex, isJsonataError, type JsonataSyntaxError } from '../expression/syntax-error.ts';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { didYouMean } from './did-you-mean.ts';
import { eventShape, type Shape } from './event-shape.ts';
import type { FlowSource } from './flow-source.ts';
import { checkPaths, type PathFinding } from './path-check.ts';

/** The flow's `when` and `mapping`, compiled once here and run as they are (engine/runtime/compile-flow.ts). */
export interface CompiledExpressions {
  when?: CompiledExpression;
  mapping?: CompiledExpression;
}

type Field = 'when' | 'mapping';

/** What one expression's text decides, whatever file it is in: offsets are into the text. */
type Checked =
  | { ok: true; compiled: CompiledExpression; unknown: UnknownCall[]; paths: Map<string, PathFinding[]> }
  | { ok: false; syntax: JsonataSyntaxError };

/**
 * One load's compiled expressions by field and text. Lives as long as the load that made it
 * (loadFlowDir), so an edited expression is never kept after its flows are gone.
 */
export class ExpressionCache {
  private readonly byText = new Map<string, Checked>();
  private readonly shapes = new Map<string, Shape>();

  check(field: Field, text: string): Checked {
    const key = `${field}\0${text}`;
    let checked = this.byText.get(key);
    if (!checked) {
      try {
        const compiled = compileExpression(field, text);
        checked = { ok: true, compiled, unknown: unknownCalls(compiled.ast()), paths: new Map() };
      } catch (err) {
        // JSONata throws plain objects, not Errors.
        if (!isJsonataError(err)) throw err;
        checked = { ok: false, syntax: err };
      }
      this.byText.set(key, checked);
    }
    return checked;
  }

  /**
   * Every path of a compiled expression stepped through the event it reads (path-check.ts):
   * `raw` holds the payload fields of the flow's triggers, so the findings are per set of triggers.
   */
  paths(checked: Checked & { ok: true }, text: string, triggers: readonly string[]): PathFinding[] {
    const key = triggers.join('\0');
    let findings = checked.paths.get(key);
    if (!findings) {
      let shape = this.shapes.get(key);
      if (!shape) this.shapes.set(key, (shape = eventShape(triggers)));
      findings = checkPaths(checked.compiled.ast(), text, shape);
      checked.paths.set(key, findings);
    }
    return findings;
  }
}

function triggersOf(data: unknown): string[] {
  const source = (data as { source?: { flipcause?: { triggers?: unknown } } } | null)?.source;
  const triggers = source?.flipcause?.triggers;
  return Array.isArray(triggers) ? triggers.filter((t): t is string => typeof t === 'string') : [];
}

export function compileExpressions(data: unknown, source: FlowSource, file: string, cache = new ExpressionCache()): { expressions: CompiledExpressions; diagnostics: Diagnostic[] } {
  const expressions: CompiledExpressions = {};
  const diagnostics: Diagnostic[] = [];
  if (data === null || typeof data !== 'object') return { expressions, diagnostics };
  for (const field of ['when', 'mapping'] as const) {
    const expr = (data as Record<string, unknown>)[field];
    // Non-strings and empty strings are the schema's to report.
    if (typeof expr !== 'string' || expr.trim() === '') continue;
    const checked = cache.check(field, expr);
    if (!checked.ok) {
      const at = source.locateInString([field], errorIndex(expr, checked.syntax));
      diagnostics.push(diagnostic('FLOW_ERR_JSONATA_SYNTAX', { field, detail: checked.syntax.message, jsonataCode: checked.syntax.code }, file, at, field));
      continue;
    }
    expressions[field] = checked.compiled;
    for (const call of checked.unknown) {
      // The position is just past the name; the call is blamed at its `$`.
      const at = source.locateInString([field], Math.max(0, call.position - call.name.length - 1));
      const engine = mappingFunctions.map((f) => `$${f.name}`).join(', ');
      const hint = didYouMean(call.name, knownFunctions);
      diagnostics.push(diagnostic('FLOW_ERR_JSONATA_FUNCTION', { field, name: call.name, engine, hint }, file, at, field));
    }
    // `raw` is checked against the payload schemas of the triggers the flow acts on (all known
    // ones when it names none or only unknown ones).
    for (const { code, index, ...params } of cache.paths(checked, expr, triggersOf(data))) {
      diagnostics.push(diagnostic(code, { field, ...params }, file, source.locateInString([field], index), field));
    }
  }
  return { expressions, diagnostics };
}
