/**
 * A flow's expression failing on sample events, told once per place: JSONata reports a code and
 * a character offset into the expression, which becomes the file's line:col (as validation does
 * for syntax errors). Its message is kept without the value it failed on: that value is donor data.
 */
import { readFileSync } from 'node:fs';
import { errorIndex } from '../expression/syntax-error.ts';
import { FlowSource } from '../flow/flow-source.ts';

export interface ExpressionFailure {
  /** Offset just past the offending token in the expression, when JSONata gives one. */
  position?: number;
  token?: string;
  /** What went wrong there, each distinct error once: "D3030 Unable to cast value to a number: …". */
  errors: string[];
  /** How many sample events failed there. */
  count: number;
}

interface JsonataError {
  code?: unknown;
  position?: unknown;
  token?: unknown;
  value?: unknown;
  message?: unknown;
}

/** The JSONata error behind an evaluation failure (wrapped as the EngineError's cause), or undefined. */
function jsonataError(err: unknown): JsonataError | undefined {
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  return cause !== null && typeof cause === 'object' && typeof (cause as JsonataError).code === 'string' ? (cause as JsonataError) : undefined;
}

/** Folds one failure into `failures`, keyed by place so each is reported once. */
export function addFailure(failures: Map<string, ExpressionFailure>, err: unknown): void {
  const e = jsonataError(err);
  const code = e ? String(e.code) : 'error';
  const position = typeof e?.position === 'number' ? e.position : undefined;
  let detail = String(e?.message ?? (err instanceof Error ? err.message : err));
  if (e && e.value !== undefined && e.value !== null) {
    for (const shown of [JSON.stringify(e.value), String(e.value)]) if (shown && shown.length > 0) detail = detail.split(shown).join('…');
  }
  // One place, one report: a call can fail in several ways (a name, a null) for one mistake.
  const key = String(position ?? '');
  const error = `${code} ${detail}`;
  const seen = failures.get(key);
  if (!seen) failures.set(key, { position, token: e?.token === undefined ? undefined : String(e.token), errors: [error], count: 1 });
  else {
    seen.count += 1;
    if (!seen.errors.includes(error)) seen.errors.push(error);
  }
}

/** `file:line:col` of the failure in the flow file's `field`, or the file and the offset when the expression is not in it. */
export function failureLocation(file: string, field: 'when' | 'mapping', expr: string | undefined, failure: ExpressionFailure): string {
  if (failure.position === undefined) return file;
  if (expr === undefined) return `${file} (the default ${field}, at character ${failure.position})`;
  let index = errorIndex(expr, { code: '', message: '', position: failure.position, token: failure.token });
  // A failing call (its position is just past the `(`) is blamed at its `$`, as validation blames calls.
  const call = failure.token === undefined ? -1 : expr.lastIndexOf(`$${failure.token}`, failure.position);
  if (call !== -1 && failure.position - call <= (failure.token?.length ?? 0) + 2) index = call;
  try {
    const at = new FlowSource(readFileSync(file, 'utf8')).locateInString([field], index);
    return `${file}:${at.line}:${at.col}`;
  } catch {
    return `${file} (${field}, at character ${failure.position})`;
  }
}
