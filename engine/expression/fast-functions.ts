/**
 * Function calls the fast path compiles: the engine's own functions (the very implementations
 * JSONata is given) and a few JSONata built-ins. Each mirrors JSONata's argument handling for its
 * signature; an argument JSONata's signature check would reject goes to JSONata, which raises
 * the error (T0410/T0412) as it always has.
 */
import { mappingFunctions } from './functions.ts';
import { checkedResult, fallback, jsonataBoolean } from './fast-values.ts';

/** A compiled node: evaluates against the context value. */
export type FastNode = (ctx: unknown) => unknown;

function stringOrUndefined(v: unknown): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  return fallback();
}

/** `$string` as JSONata formats the values it can meet here; objects and arrays go to JSONata. */
function jsonataString(v: unknown): unknown {
  if (v === undefined || typeof v === 'string') return v;
  if (typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return JSON.stringify(Number.isInteger(v) ? v : Number(v.toPrecision(15)));
  return fallback();
}

/** `$trim`: JSONata collapses inner whitespace runs too, unlike String.prototype.trim. */
function jsonataTrim(s: string): string {
  let result = s.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

function jsonataJoin(strs: unknown, separator: unknown): unknown {
  const sep = stringOrUndefined(separator) ?? '';
  if (strs === undefined) return undefined;
  if (typeof strs === 'string') return strs;
  if (!Array.isArray(strs)) return fallback();
  for (const s of strs) if (typeof s !== 'string') fallback();
  return strs.join(sep);
}

/** A function's result as JSONata would hand it on (it awaits promises and steps generators). */
function plainResult(r: unknown): unknown {
  if (typeof r === 'object' && r !== null) {
    const o = r as { next?: unknown; then?: unknown };
    if (typeof o.next === 'function' || typeof o.then === 'function') fallback();
  }
  return checkedResult(r);
}

function builtin(name: string, args: FastNode[]): FastNode | null {
  const [a, b] = args;
  if (!a) return null;
  if (args.length === 1) {
    switch (name) {
      case 'not':
        return (ctx) => {
          const v = a(ctx);
          return v === undefined ? undefined : !jsonataBoolean(v);
        };
      case 'exists':
        return (ctx) => a(ctx) !== undefined;
      case 'string':
        return (ctx) => jsonataString(a(ctx));
      case 'lowercase':
        return (ctx) => stringOrUndefined(a(ctx))?.toLowerCase();
      case 'uppercase':
        return (ctx) => stringOrUndefined(a(ctx))?.toUpperCase();
      case 'trim':
        return (ctx) => {
          const s = stringOrUndefined(a(ctx));
          return s === undefined ? undefined : jsonataTrim(s);
        };
      case 'join':
        return (ctx) => jsonataJoin(a(ctx), undefined);
    }
  }
  if (args.length === 2 && b && name === 'join') return (ctx) => jsonataJoin(a(ctx), b(ctx));
  return null;
}

/**
 * An engine function, by the signature it is registered with. `<x-:x>` takes one value of any
 * type; `<x-s?:x>` a value and an optional string, passed as undefined when left out. A call with
 * no arguments would take the context value instead: left to JSONata.
 */
function engineFunction(name: string, args: FastNode[]): FastNode | null {
  const def = mappingFunctions.find((f) => f.name === name);
  if (!def) return null;
  const impl = def.impl;
  const [a, b] = args;
  if (!a) return null;
  if (def.signature === '<x-:x>' && args.length === 1) return (ctx) => plainResult(impl(a(ctx)));
  if (def.signature === '<x-s?:x>') {
    if (args.length === 1) return (ctx) => plainResult(impl(a(ctx), undefined));
    if (args.length === 2 && b) {
      return (ctx) => {
        const value = a(ctx);
        return plainResult(impl(value, stringOrUndefined(b(ctx))));
      };
    }
  }
  return null;
}

/** A call `$name(args…)`, or null when the fast path does not know the function or this arity. */
export function compileCall(name: string, args: FastNode[]): FastNode | null {
  // Registered functions are bound in the expression's own frame, so they shadow built-ins.
  if (mappingFunctions.some((f) => f.name === name)) return engineFunction(name, args);
  return builtin(name, args);
}
