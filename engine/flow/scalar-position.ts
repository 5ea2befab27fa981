/**
 * Maps a character index inside a scalar's parsed value back to its offset in the YAML source.
 * A `mapping: |` block loses its indentation when parsed, a folded or quoted scalar loses line
 * breaks, quotes and escapes; JSONata reports errors as offsets into the parsed value, and the
 * diagnostic must land on the character the author typed.
 *
 * The value is aligned with the source text character by character: equal characters match,
 * source whitespace the value does not have (indentation, folded line breaks) is skipped, and
 * quoting/escapes consume their source characters for the one value character they produce.
 */
import type { Scalar } from 'yaml';

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Length in the source of the escape sequence starting with the backslash at `j` (double quotes). */
function escapeLength(text: string, j: number): number {
  const next = text[j + 1];
  if (next === 'x') return 4;
  if (next === 'u') return 6;
  if (next === 'U') return 10;
  return 2;
}

export function scalarSourceOffset(text: string, node: Scalar, value: string, index: number): number {
  const [start, end] = node.range ?? [0, text.length];
  let j = start;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    // Content starts on the line after the `|`/`>` header (which may carry indicators and a comment).
    const nl = text.indexOf('\n', start);
    j = nl === -1 || nl >= end ? end : nl + 1;
  } else if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    j = start + 1;
  }
  const double = node.type === 'QUOTE_DOUBLE';
  const single = node.type === 'QUOTE_SINGLE';
  const target = Math.max(0, Math.min(index, value.length - 1));
  let i = 0;
  while (j < end) {
    const v = value[i];
    const s = text[j];
    if (double && s === '\\') {
      if (text[j + 1] === '\n' || text[j + 1] === '\r') {
        // An escaped line break joins lines and produces nothing.
        j += 2;
        continue;
      }
      if (i === target) return j;
      i += 1;
      j += escapeLength(text, j);
      continue;
    }
    if (single && s === "'" && text[j + 1] === "'" && v === "'") {
      if (i === target) return j;
      i += 1;
      j += 2;
      continue;
    }
    if (v === s || (isSpace(v) && isSpace(s))) {
      if (i === target) return j;
      i += 1;
      j += 1;
    } else if (isSpace(s)) {
      j += 1;
    } else if (isSpace(v)) {
      // A value character with no source counterpart (e.g. a folded line break turned space).
      if (i === target) return j;
      i += 1;
    } else {
      if (i === target) return j;
      i += 1;
      j += 1;
    }
  }
  return Math.min(j, end);
}
