/**
 * A fast path for the simple JSONata that flows actually write: the AST of an expression made
 * only of the constructs below becomes a plain closure at load, giving exactly JSONata's results
 * without its interpreter. Anything else (or any node carrying an annotation not listed here)
 * makes compileFast return null, and the expression always runs in JSONata.
 *
 *   { "key": expr, … }   string-literal keys; a key whose value is undefined is left out
 *   a.b.c                plain name steps
 *   "s" 1 true null      literals
 *   [a, b][pred]         array constructor, optional filters evaluated with `$` as the item
 *   $                    the context value
 *   = != and or in       JSONata's operator rules
 *   $phone $titleCase $blank, $not $exists $string $join $lowercase $uppercase $trim
 *
 * Sequences are not emulated: when a name step meets an array (JSONata would map over it), or a
 * value needs a rule the fast path does not restate, the closure returns FALLBACK and the caller
 * evaluates the JSONata expression for that input. Errors go the same way, so JSONata raises them.
 */
import type jsonata from 'jsonata';
import { compileCall, type FastNode } from './fast-functions.ts';
import { boolize, checkedResult, fallback, jsonataBoolean, jsonataEquals, jsonataIncludes, lookup } from './fast-values.ts';

/** Returned by a fast expression for an input only the JSONata expression can answer. */
export const FALLBACK: unique symbol = Symbol('fast expression: evaluate with JSONata');

export type FastExpression = (input: unknown) => unknown;

interface Compiled {
  run: FastNode;
  /** How deep JSONata's own evaluation of this node nests (its `stack` guardrail counts it). */
  depth: number;
}

type Node = Record<string, unknown>;

/** Keys JSONata's parser puts on every node we accept; any other key (predicate, group, stages, keepArray, focus…) changes the meaning. */
const BASE_KEYS = ['type', 'value', 'position'];

function hasOnly(node: Node, extra: readonly string[]): boolean {
  for (const key of Object.keys(node)) {
    // The parser leaves some keys present but undefined (a call's `name`).
    if (node[key] !== undefined && !BASE_KEYS.includes(key) && !extra.includes(key)) return false;
  }
  return true;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Node).type === 'string';
}

function literal(node: Node): Compiled | null {
  if (!hasOnly(node, [])) return null;
  const value = node.value;
  const ok =
    (node.type === 'string' && typeof value === 'string') ||
    (node.type === 'number' && typeof value === 'number' && Number.isFinite(value)) ||
    (node.type === 'value' && (value === null || value === true || value === false));
  return ok ? { run: () => value, depth: 1 } : null;
}

function path(node: Node): Compiled | null {
  if (!hasOnly(node, ['steps']) || !Array.isArray(node.steps) || node.steps.length === 0) return null;
  const keys: string[] = [];
  for (const step of node.steps as unknown[]) {
    if (!isNode(step) || step.type !== 'name' || typeof step.value !== 'string' || !hasOnly(step, [])) return null;
    keys.push(step.value);
  }
  const run: FastNode = (ctx) => {
    let v = ctx;
    for (const key of keys) {
      v = lookup(v, key);
      if (v === undefined) return undefined;
    }
    return checkedResult(v);
  };
  // evaluate(path) → evaluate(step): two levels whatever the number of steps.
  return { run, depth: 2 };
}

function binary(node: Node): Compiled | null {
  if (!hasOnly(node, ['lhs', 'rhs'])) return null;
  const lhs = compileNode(node.lhs);
  const rhs = compileNode(node.rhs);
  if (!lhs || !rhs) return null;
  const l = lhs.run;
  const r = rhs.run;
  const depth = 1 + Math.max(lhs.depth, rhs.depth);
  switch (node.value) {
    case '=':
      return { run: (ctx) => jsonataEquals(l(ctx), r(ctx)), depth };
    case '!=':
      return {
        run: (ctx) => {
          const a = l(ctx);
          const b = r(ctx);
          return a === undefined || b === undefined ? false : !jsonataEquals(a, b);
        },
        depth,
      };
    case 'and':
      return { run: (ctx) => boolize(l(ctx)) && boolize(r(ctx)), depth };
    case 'or':
      return { run: (ctx) => boolize(l(ctx)) || boolize(r(ctx)), depth };
    case 'in':
      return { run: (ctx) => jsonataIncludes(l(ctx), r(ctx)), depth };
    default:
      return null;
  }
}

/**
 * Filters on an array constructor. A predicate that yields numbers selects by index in JSONata,
 * so a number or array result goes to JSONata; anything else keeps the item when truthy.
 */
function filters(predicates: unknown): Compiled[] | null {
  if (predicates === undefined) return [];
  if (!Array.isArray(predicates)) return null;
  const out: Compiled[] = [];
  for (const p of predicates as unknown[]) {
    if (!isNode(p) || p.type !== 'filter' || !hasOnly(p, ['expr']) || !isNode(p.expr) || p.expr.type === 'number') return null;
    const c = compileNode(p.expr);
    if (!c) return null;
    out.push(c);
  }
  return out;
}

function arrayConstructor(node: Node): Compiled | null {
  if (!hasOnly(node, ['expressions', 'predicate']) || !Array.isArray(node.expressions)) return null;
  const items: Compiled[] = [];
  for (const e of node.expressions as unknown[]) {
    // JSONata keeps a nested constructor's array whole (it tests the node's value for "["); not emulated.
    if (isNode(e) && e.value === '[') return null;
    const c = compileNode(e);
    if (!c) return null;
    items.push(c);
  }
  const preds = filters(node.predicate);
  if (!preds) return null;
  const depth = 1 + Math.max(0, ...items.map((c) => c.depth), ...preds.map((c) => c.depth));
  const runs = items.map((c) => c.run);
  const build = (ctx: unknown): unknown[] => {
    const result: unknown[] = [];
    for (const run of runs) {
      const v = run(ctx);
      if (v === undefined) continue;
      // JSONata appends an array's items (flattening): not emulated.
      if (Array.isArray(v)) fallback();
      result.push(v);
    }
    return result;
  };
  if (preds.length === 0) return { run: build, depth };
  const predRuns = preds.map((c) => c.run);
  const run: FastNode = (ctx) => {
    let seq = build(ctx);
    for (const pred of predRuns) {
      const kept: unknown[] = [];
      for (const item of seq) {
        const res = pred(item);
        if (typeof res === 'number' || Array.isArray(res)) fallback();
        if (jsonataBoolean(res)) kept.push(item);
      }
      seq = kept;
    }
    // A filter's result is a sequence, which JSONata unwraps: nothing → undefined, one item → the item.
    if (seq.length === 0) return undefined;
    return seq.length === 1 ? seq[0] : seq;
  };
  return { run, depth };
}

/** Keys JSONata refuses (D1013) or that a plain object would not keep as data. */
const RESERVED_KEYS = new Set(['_jsonata_lambda', '_jsonata_function', '__proto__']);

function objectConstructor(node: Node): Compiled | null {
  if (!hasOnly(node, ['lhs']) || !Array.isArray(node.lhs)) return null;
  const pairs: [string, FastNode][] = [];
  let depth = 2;
  for (const pair of node.lhs as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const [k, v] = pair as unknown[];
    if (!isNode(k) || k.type !== 'string' || typeof k.value !== 'string' || !hasOnly(k, [])) return null;
    const key = k.value;
    // A repeated key is JSONata error D1009; leave it to JSONata.
    if (RESERVED_KEYS.has(key) || pairs.some(([seen]) => seen === key)) return null;
    const value = compileNode(v);
    if (!value) return null;
    pairs.push([key, value.run]);
    depth = Math.max(depth, 1 + value.depth);
  }
  const run: FastNode = (ctx) => {
    // An array context would be grouped item by item.
    if (Array.isArray(ctx)) fallback();
    const out: Record<string, unknown> = {};
    for (const [key, value] of pairs) {
      const v = value(ctx);
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  return { run, depth };
}

function call(node: Node): Compiled | null {
  if (!hasOnly(node, ['arguments', 'procedure']) || !Array.isArray(node.arguments)) return null;
  const proc = node.procedure;
  if (!isNode(proc) || proc.type !== 'variable' || typeof proc.value !== 'string' || proc.value === '' || !hasOnly(proc, [])) return null;
  const args: Compiled[] = [];
  for (const a of node.arguments as unknown[]) {
    const c = compileNode(a);
    if (!c) return null;
    args.push(c);
  }
  const run = compileCall(proc.value, args.map((c) => c.run));
  return run ? { run, depth: 1 + Math.max(1, ...args.map((c) => c.depth)) } : null;
}

function compileNode(node: unknown): Compiled | null {
  if (!isNode(node)) return null;
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
      return literal(node);
    case 'variable':
      // `$` alone is the context; `$$` and named variables are not handled.
      return node.value === '' && hasOnly(node, []) ? { run: (ctx) => ctx, depth: 1 } : null;
    case 'path':
      return path(node);
    case 'binary':
      return binary(node);
    case 'unary':
      if (node.value === '[') return arrayConstructor(node);
      if (node.value === '{') return objectConstructor(node);
      return null;
    case 'function':
      return node.value === '(' ? call(node) : null;
    default:
      return null;
  }
}

/**
 * The expression as a closure, or null when some node is outside the subset. `maxDepth` is the
 * JSONata `stack` guardrail the expression runs under: an expression JSONata could stop for depth
 * stays with JSONata, so the guardrail's error is not lost.
 */
export function compileFast(ast: jsonata.ExprNode, maxDepth = Infinity): FastExpression | null {
  const root = compileNode(ast);
  if (!root || root.depth > maxDepth) return null;
  const run = root.run;
  return (input) => {
    // JSONata wraps an array input as one item of an outer sequence: not emulated.
    if (Array.isArray(input)) return FALLBACK;
    try {
      return run(input);
    } catch {
      // FALLBACK_SIGNAL, or an error: JSONata evaluates this input and raises any error its own way.
      return FALLBACK;
    }
  };
}
