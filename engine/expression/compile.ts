import jsonata from 'jsonata';
import { mappingFunctions } from './functions.ts';
import { ExpressionErrors } from './errors.ts';
import { FALLBACK, compileFast } from './fast.ts';

export interface ExpressionLimits {
  /** Milliseconds one evaluation may take. */
  timeoutMs: number;
  /** Deepest evaluation stack allowed (runaway recursion). */
  maxDepth: number;
}

export const DEFAULT_LIMITS: ExpressionLimits = { timeoutMs: 250, maxDepth: 200 };

export interface CompiledExpression {
  readonly source: string;
  /** True when the expression also compiled to the fast path (JSONata still answers what it cannot). */
  readonly fast: boolean;
  /** The parsed expression, for the checks at load (functions called, paths read). */
  ast(): jsonata.ExprNode;
  evaluate(input: unknown): Promise<unknown>;
}

/**
 * Compiles a flow's JSONata once, with the engine's functions and guardrails, and, when every
 * node is in the fast path's subset, a plain closure with the same results (fast-expression.ts).
 * Evaluation tries the closure first; an input it cannot answer exactly, or one that fails, goes
 * to JSONata, so every error comes from JSONata. JSONata throws plain objects; evaluation failures
 * are wrapped as permanent EngineErrors so the retry layer classifies them (a mapping that fails
 * fails the same way every time).
 */
export function compileExpression(name: string, source: string, limits: ExpressionLimits = DEFAULT_LIMITS): CompiledExpression {
  const expr = jsonata(source, { timeout: limits.timeoutMs, stack: limits.maxDepth });
  for (const f of mappingFunctions) expr.registerFunction(f.name, f.impl, f.signature);
  const fast = compileFast(expr.ast(), limits.maxDepth);
  const slow = async (input: unknown): Promise<unknown> => {
    try {
      return await expr.evaluate(input);
    } catch (err) {
      const e = err as { code?: string; message?: string; position?: number };
      throw ExpressionErrors.ENGINE_ERR_EXPRESSION(
        { expression: name, detail: `${e.code ?? 'error'} ${e.message ?? String(err)}${e.position !== undefined ? ` at ${e.position}` : ''}` },
        { cause: err },
      );
    }
  };
  return {
    source,
    fast: fast !== null,
    ast: () => expr.ast(),
    async evaluate(input) {
      if (fast) {
        const result = fast(input);
        if (result !== FALLBACK) return result;
      }
      return slow(input);
    },
  };
}
