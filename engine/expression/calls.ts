/**
 * Function names a flow's JSONata may call: JSONata's own, the engine's, and any the expression
 * binds itself (`$f := function…`, lambda parameters). A call to anything else fails on every
 * record (T1006), so validation reports it where it is written instead.
 */
import type jsonata from 'jsonata';
import { mappingFunctions } from './functions.ts';

// JSONata 2.x built-ins.
const BUILTINS = new Set(
  ('abs append assert average base64decode base64encode boolean ceil clone contains count decodeUrl decodeUrlComponent ' +
    'distinct each encodeUrl encodeUrlComponent error eval exists filter floor formatBase formatInteger formatNumber ' +
    'fromMillis join keys length lookup lowercase map match max merge millis min not now number pad parseInteger power ' +
    'random reduce replace reverse round shuffle sift single sort split spread sqrt string substring substringAfter ' +
    'substringBefore sum toMillis trim type uppercase zip').split(' '),
);
const ENGINE = new Set(mappingFunctions.map((f) => f.name));

/** Every function name a flow may call without binding it. */
export const knownFunctions: readonly string[] = [...ENGINE, ...BUILTINS];

export interface UnknownCall {
  name: string;
  /** JSONata's position of the name: the offset just past it. */
  position: number;
}

type Node = Record<string, unknown>;

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) for (const n of node) walk(n, visit);
  else if (node !== null && typeof node === 'object') {
    visit(node as Node);
    for (const v of Object.values(node)) walk(v, visit);
  }
}

/** Calls in `ast` of functions that exist nowhere, in source order. */
export function unknownCalls(ast: jsonata.ExprNode): UnknownCall[] {
  const bound = new Set<string>();
  const calls: UnknownCall[] = [];
  walk(ast, (n) => {
    const lhs = n.lhs as Node | undefined;
    if (n.type === 'bind' && lhs?.type === 'variable') bound.add(String(lhs.value));
    if (n.type === 'lambda') for (const a of (n.arguments as Node[] | undefined) ?? []) bound.add(String(a.value));
    const proc = n.procedure as Node | undefined;
    if ((n.type === 'function' || n.type === 'partial') && proc?.type === 'variable' && typeof proc.position === 'number') {
      calls.push({ name: String(proc.value), position: proc.position });
    }
  });
  return calls
    .filter((c) => c.name !== '' && !BUILTINS.has(c.name) && !ENGINE.has(c.name) && !bound.has(c.name))
    .sort((a, b) => a.position - b.position);
}
