/**
 * What JSONata's built-in functions take as their first argument (from their signatures in
 * jsonata 2.x, e.g. $uppercase `<s-:s>`), for the argument types the event schema makes knowable.
 * The engine's own functions take anything, so they are not listed.
 */
import type { Shape, ValueType } from './event-shape.ts';

type Takes = 'string' | 'number' | 'numbers' | 'to-number';

const TAKES: Readonly<Record<string, Takes>> = {
  ...Object.fromEntries(
    ('substring substringBefore substringAfter lowercase uppercase length trim pad match contains replace split parseInteger ' +
      'base64encode base64decode encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl toMillis').split(' ').map((n) => [n, 'string']),
  ),
  ...Object.fromEntries('formatNumber formatBase formatInteger floor ceil round abs sqrt power fromMillis'.split(' ').map((n) => [n, 'number'])),
  ...Object.fromEntries('sum max min average'.split(' ').map((n) => [n, 'numbers'])),
  number: 'to-number',
};

function describe(types: ReadonlySet<ValueType>, items: Shape | undefined): string {
  const parts = [...types].filter((t) => t !== 'null').map((t) => {
    if (t === 'array' && items && items.types !== 'any') return `a list of ${[...items.types].filter((i) => i !== 'null').join(' or ')}s`;
    return t === 'object' ? 'an object' : t === 'array' ? 'a list' : t === 'boolean' ? 'true/false' : `a ${t}`;
  });
  return parts.join(' or ');
}

export interface ArgumentProblem {
  /** How the argument's value is described, e.g. "a string". */
  actual: string;
  /** What happens at run time. */
  effect: string;
}

/**
 * Why calling `$name` on a value of this shape fails at run time, or undefined when it may work.
 * Only values read from the event are judged: their types are known; raw values are as sent and
 * computed ones are not typed here.
 */
export function argumentProblem(name: string, arg: Shape): ArgumentProblem | undefined {
  const takes = TAKES[name];
  if (!takes || arg.types === 'any' || arg.raw || arg.label === '') return undefined;
  const types = new Set([...arg.types].filter((t) => t !== 'null'));
  if (types.size === 0) return undefined;
  const actual = describe(types, arg.items);
  // A list is mapped over (or unwrapped when it holds one value): judge its items.
  const values = new Set<ValueType>([...types].filter((t) => t !== 'array'));
  if (types.has('array')) {
    if (!arg.items || arg.items.types === 'any') return undefined;
    for (const t of arg.items.types) if (t !== 'null') values.add(t);
  }
  switch (takes) {
    case 'string':
      return values.has('string') ? undefined : { actual, effect: `$${name} takes text and fails (T0410) on ${actual}` };
    case 'number':
      return values.has('number') ? undefined : { actual, effect: `$${name} takes a number and fails (T0410) on ${actual}` };
    case 'numbers':
      return values.has('number') ? undefined : { actual, effect: `$${name} takes numbers and fails (T0412) on ${actual}` };
    case 'to-number':
      if (values.has('number') || values.has('boolean')) return undefined;
      if (values.has('string')) return { actual, effect: '$number fails (D3030) on every value not written as a number, such as a name' };
      return { actual, effect: `$number takes a number, text or true/false and fails (T0410) on ${actual}` };
  }
}
