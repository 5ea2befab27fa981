/**
 * Type-checks a compiled JSONata expression against what it will read: every path in `when` and
 * `mapping` is stepped through the event's shape (event-shape.ts). A misspelt step
 * (`contact.adress.city`) would match nothing on every record, so a filter silently passes
 * everything and a field is silently never sent; here it is an error at the step, with a
 * suggestion. Under `raw` (the record as sent, open to fields Flipcause adds) an unknown field is
 * a warning. A built-in function given a value of a type it cannot take is a warning.
 *
 * Pure: AST in, findings with character offsets into the expression out. The walk follows
 * JSONata's node shapes (jsonata 2.x `ast()`): paths of steps with predicate/stage filters,
 * `$` (the context) and `$$` (the event) variables, bound variables, blocks, conditions, array and
 * object constructors, function calls, `~>`, lambdas. Whatever it cannot follow (wildcards,
 * parent `%`, transforms, lambda parameters) it treats as unknown and checks nothing below.
 */
import type jsonata from 'jsonata';
import { ANY, ROOT_LABEL, type Shape, type ValueType } from './event-shape.ts';
import { argumentProblem } from './function-types.ts';
import { didYouMean } from './did-you-mean.ts';

export type PathFinding =
  | { code: 'FLOW_ERR_PATH_UNKNOWN'; path: string; parent: string; name: string; hint: string; index: number }
  | { code: 'FLOW_ERR_PATH_NOT_OBJECT'; path: string; parent: string; actual: string; index: number }
  | { code: 'FLOW_ERR_RAW_FIELD_UNKNOWN'; path: string; name: string; triggers: string; hint: string; index: number }
  | { code: 'FLOW_ERR_ARGUMENT_TYPE'; fn: string; path: string; actual: string; effect: string; index: number };

type Node = Record<string, unknown> & { type?: string; value?: unknown; position?: number };

class Scope {
  private readonly vars = new Map<string, Shape>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): Shape | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  set(name: string, shape: Shape): void {
    this.vars.set(name, shape);
  }
}

const typed = (...types: ValueType[]): Shape => ({ label: '', types: new Set(types) });

function union(a: Shape, b: Shape): Shape {
  if (a.types === 'any' || b.types === 'any') return ANY;
  // Merged objects or lists would need merged fields; nothing is checked below a mix.
  if (a.fields || b.fields || a.items || b.items) return a === b ? a : ANY;
  return { label: '', types: new Set([...a.types, ...b.types]) };
}

/** The shape of one item: paths map over lists, so a step from a list steps from its items. */
function element(shape: Shape): Shape {
  if (shape.types !== 'any' && shape.types.has('array') && shape.items) return shape.items;
  return shape;
}

/** Offset of the first character of a name whose token ends at `position` (quoted or not). */
function nameStart(expr: string, position: number, name: string): number {
  const end = Math.min(position, expr.length);
  const quote = expr[end - 1];
  if ((quote === '"' || quote === "'" || quote === '`') && expr[end - name.length - 2] === quote) return end - name.length - 2;
  return Math.max(0, end - name.length);
}

/** Results of the built-in functions whose type later checks can use; others are unknown. */
const RETURNS: Readonly<Record<string, ValueType>> = {
  string: 'string', substring: 'string', substringBefore: 'string', substringAfter: 'string', lowercase: 'string',
  uppercase: 'string', trim: 'string', pad: 'string', join: 'string', replace: 'string', formatNumber: 'string',
  formatBase: 'string', formatInteger: 'string', length: 'number', number: 'number', count: 'number', sum: 'number',
  abs: 'number', floor: 'number', ceil: 'number', round: 'number', boolean: 'boolean', not: 'boolean',
  exists: 'boolean', contains: 'boolean',
};

const BINARY_RESULT: Readonly<Record<string, ValueType>> = {
  '+': 'number', '-': 'number', '*': 'number', '/': 'number', '%': 'number',
  '=': 'boolean', '!=': 'boolean', '<': 'boolean', '<=': 'boolean', '>': 'boolean', '>=': 'boolean',
  and: 'boolean', or: 'boolean', in: 'boolean', '&': 'string',
};

export function checkPaths(ast: jsonata.ExprNode, expr: string, event: Shape): PathFinding[] {
  const findings: PathFinding[] = [];

  const step = (from: Shape, node: Node): Shape => {
    const name = String(node.value);
    const index = nameStart(expr, node.position ?? 0, name);
    const at = element(from);
    if (at.types === 'any') return ANY;
    const path = at.label === ROOT_LABEL || at.label === '' ? name : `${at.label}.${name}`;
    const field = at.fields?.get(name);
    if (field) return field();
    if (at.open || !at.types.has('object')) {
      if (at.raw) {
        findings.push({ code: 'FLOW_ERR_RAW_FIELD_UNKNOWN', path, name, triggers: (at.triggers ?? []).join(', '), hint: didYouMean(name, [...(at.fields?.keys() ?? [])]), index });
      } else if (!at.open && at.label !== '') {
        const actual = [...at.types].filter((t) => t !== 'null').join(' or ') || 'always null';
        findings.push({ code: 'FLOW_ERR_PATH_NOT_OBJECT', path, parent: at.label, actual, index });
      }
      return ANY;
    }
    findings.push({ code: 'FLOW_ERR_PATH_UNKNOWN', path, parent: at.label, name, hint: didYouMean(name, [...(at.fields?.keys() ?? [])]), index });
    return ANY;
  };

  /** Filters (`[…]`) and group-by (`{…}`) attached to a node see one item of its result as `$`. */
  const stages = (node: Node, result: Shape, scope: Scope): Shape => {
    for (const key of ['predicate', 'stages'] as const) {
      for (const f of (node[key] as Node[] | undefined) ?? []) {
        if (f.type === 'filter') check(f.expr as Node, element(result), scope);
      }
    }
    const group = node.group as { lhs?: Array<[Node, Node]> } | undefined;
    if (group?.lhs) {
      for (const [k, v] of group.lhs) {
        check(k, element(result), scope);
        check(v, element(result), scope);
      }
      return ANY;
    }
    return result;
  };

  const call = (node: Node, ctx: Shape, scope: Scope, piped?: Shape): Shape => {
    const args = ((node.arguments as Node[] | undefined) ?? []).map((a) => check(a, ctx, scope));
    const proc = node.procedure as Node | undefined;
    if (proc?.type !== 'variable') {
      if (proc) check(proc, ctx, scope);
      return ANY;
    }
    const name = String(proc.value);
    // A bound variable shadows the built-in of the same name.
    if (scope.get(name) !== undefined) return ANY;
    // `x ~> $f(a)` is $f(x, a); `x.$f()` with its first argument left out takes the context.
    const first = piped ?? (node.type === 'function' && args.length === 0 ? ctx : args[0]);
    if (first && node.type === 'function') {
      const problem = argumentProblem(name, first);
      if (problem) {
        const index = Math.max(0, (proc.position ?? 0) - name.length - 1);
        findings.push({ code: 'FLOW_ERR_ARGUMENT_TYPE', fn: name, path: first.label, ...problem, index });
      }
    }
    const returns = RETURNS[name];
    return returns ? typed(returns) : ANY;
  };

  const path = (node: Node, ctx: Shape, scope: Scope): Shape => {
    const steps = (node.steps as Node[] | undefined) ?? [];
    // Tuple steps (`@$x`, `#$i`) bind variables per item; their context rules are not followed here.
    if (steps.some((s) => s.tuple === true)) {
      for (const s of steps) walkUnknown(s, scope);
      return ANY;
    }
    let cur = ctx;
    steps.forEach((s, i) => {
      let next: Shape;
      if (s.type === 'name') next = step(cur, s);
      else if (s.type === 'function' || s.type === 'partial') next = call(s, element(cur), scope);
      else if (s.type === 'sort') {
        for (const term of (s.terms as Array<{ expression: Node }> | undefined) ?? []) check(term.expression, element(cur), scope);
        next = cur;
      } else next = check(s, i === 0 ? cur : element(cur), scope);
      cur = stages(s, next, scope);
    });
    return stages(node, cur, scope);
  };

  /** Checks nothing below `node` but still follows bindings, so later uses of them are unknown. */
  const walkUnknown = (node: unknown, scope: Scope): void => {
    if (Array.isArray(node)) for (const n of node) walkUnknown(n, scope);
    else if (node !== null && typeof node === 'object') {
      const n = node as Node;
      if (n.type === 'bind' && (n.lhs as Node | undefined)?.type === 'variable') scope.set(String((n.lhs as Node).value), ANY);
      for (const [k, v] of Object.entries(n)) if (k !== 'ancestor' && k !== 'slot') walkUnknown(v, scope);
    }
  };

  const check = (node: Node, ctx: Shape, scope: Scope): Shape => {
    switch (node.type) {
      case 'path':
        return path(node, ctx, scope);
      case 'name':
        return stages(node, step(ctx, node), scope);
      case 'variable': {
        const name = String(node.value);
        const shape = name === '' ? ctx : name === '$' ? event : (scope.get(name) ?? ANY);
        return stages(node, shape, scope);
      }
      case 'string':
        return stages(node, typed('string'), scope);
      case 'number':
        return stages(node, typed('number'), scope);
      case 'value':
        return typed(node.value === null ? 'null' : 'boolean');
      case 'unary': {
        if (node.value === '[') {
          const items = ((node.expressions as Node[] | undefined) ?? []).map((e) => check(e, ctx, scope));
          const item = items.reduce<Shape | undefined>((acc, s) => (acc ? union(acc, s) : s), undefined) ?? ANY;
          return stages(node, { label: '', types: new Set(['array']), items: item }, scope);
        }
        if (node.value === '{') {
          for (const [k, v] of (node.lhs as Array<[Node, Node]> | undefined) ?? []) {
            check(k, ctx, scope);
            check(v, ctx, scope);
          }
          return stages(node, ANY, scope);
        }
        check(node.expression as Node, ctx, scope);
        return typed('number');
      }
      case 'binary': {
        const lhs = check(node.lhs as Node, ctx, scope);
        const rhs = check(node.rhs as Node, ctx, scope);
        const result = BINARY_RESULT[String(node.value)];
        if (result) return typed(result);
        if (node.value === '..') return { label: '', types: new Set(['array']), items: typed('number') };
        // `??` and `?:` give one side or the other.
        return union(lhs, rhs);
      }
      case 'function':
      case 'partial':
        return stages(node, call(node, ctx, scope), scope);
      case 'apply': {
        const lhs = check(node.lhs as Node, ctx, scope);
        const rhs = node.rhs as Node;
        if (rhs.type === 'function') return call(rhs, ctx, scope, lhs);
        if (rhs.type === 'variable' && scope.get(String(rhs.value)) === undefined && rhs.value !== '' && rhs.value !== '$') {
          return call({ type: 'function', arguments: [], procedure: rhs }, ctx, scope, lhs);
        }
        check(rhs, ctx, scope);
        return ANY;
      }
      case 'bind': {
        const shape = check(node.rhs as Node, ctx, scope);
        const lhs = node.lhs as Node;
        if (lhs.type === 'variable') scope.set(String(lhs.value), shape);
        return shape;
      }
      case 'block': {
        const inner = new Scope(scope);
        let last: Shape = ANY;
        for (const e of (node.expressions as Node[] | undefined) ?? []) last = check(e, ctx, inner);
        return stages(node, last, scope);
      }
      case 'condition': {
        check(node.condition as Node, ctx, scope);
        const then = check(node.then as Node, ctx, scope);
        return node.else === undefined ? then : union(then, check(node.else as Node, ctx, scope));
      }
      case 'lambda': {
        // Parameters take whatever the caller passes: unknown. The body sees the context the lambda was written in.
        const inner = new Scope(scope);
        for (const a of (node.arguments as Node[] | undefined) ?? []) inner.set(String(a.value), ANY);
        check(node.body as Node, ctx, inner);
        return ANY;
      }
      default:
        // Wildcards, descendants, parent steps, transforms, regexes: nothing known below them.
        walkUnknown(node, scope);
        return ANY;
    }
  };

  check(ast as unknown as Node, event, new Scope());
  return findings.sort((a, b) => a.index - b.index);
}
