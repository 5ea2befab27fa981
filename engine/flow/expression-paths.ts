/**
 * Reports what path-check.ts finds in a flow's `when` or `mapping` as diagnostics at the line and
 * column the author typed. `raw` is checked against the payload schemas of the triggers the flow
 * acts on (all known ones when it names none or only unknown ones).
 */
import type jsonata from 'jsonata';
import { diagnostic, type Diagnostic } from './diagnostic.ts';
import { eventShape } from './event-shape.ts';
import type { FlowSource } from './flow-source.ts';
import { checkPaths } from './path-check.ts';

function triggersOf(data: unknown): string[] {
  const source = (data as { source?: { flipcause?: { triggers?: unknown } } } | null)?.source;
  const triggers = source?.flipcause?.triggers;
  return Array.isArray(triggers) ? triggers.filter((t): t is string => typeof t === 'string') : [];
}

/** `text` is the expression as written (the offsets are into it), `compiled` its compiled form. */
export function checkExpressionPaths(field: 'when' | 'mapping', text: string, compiled: { ast(): jsonata.ExprNode }, data: unknown, source: FlowSource, file: string): Diagnostic[] {
  return checkPaths(compiled.ast(), text, eventShape(triggersOf(data))).map(({ code, index, ...params }) =>
    diagnostic(code, { field, ...params }, file, source.locateInString([field], index), field),
  );
}
