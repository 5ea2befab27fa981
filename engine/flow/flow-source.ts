/**
 * A flow file's text parsed with source positions kept, so every diagnostic can point at the key
 * or value it is about. Wraps the `yaml` package's Document and a LineCounter. Parsed when first
 * asked for: a clean file read quickly (yaml-data.ts) never needs a position.
 */
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Position } from './diagnostic.ts';
import type { PathSegment } from './yaml-path.ts';
import { scalarSourceOffset } from './scalar-position.ts';

export class FlowSource {
  private parsed: Document.Parsed | undefined;
  private readonly lines = new LineCounter();

  constructor(readonly text: string) {}

  get doc(): Document.Parsed {
    // uniqueKeys (the default) reports duplicate keys; the core schema keeps timestamps and
    // ids such as 2026-11-01 as strings.
    this.parsed ??= parseDocument(this.text, { lineCounter: this.lines, prettyErrors: false, keepSourceTokens: false });
    return this.parsed;
  }

  position(offset: number): Position {
    // The line counter is filled in by the parse.
    void this.doc;
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /** The pair holding `path`'s last segment, and the node at `path`, as far as they exist. */
  private walk(path: readonly PathSegment[]): { node: Node | null; pair?: Pair; depth: number } {
    let node = (this.doc.contents ?? null) as Node | null;
    let pair: Pair | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const found = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!found) break;
        pair = found as Pair;
        node = (found.value ?? null) as Node | null;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        pair = undefined;
        node = (node.items[seg] ?? null) as Node | null;
      } else {
        break;
      }
      depth += 1;
    }
    return { node, pair, depth };
  }

  node(path: readonly PathSegment[]): Node | null {
    const { node, depth } = this.walk(path);
    return depth === path.length ? node : null;
  }

  /**
   * Where `path` is in the file: its key (for unknown or misplaced keys) or its value. When the
   * path does not exist the deepest existing part of it is used; an empty value points at its key.
   */
  locate(path: readonly PathSegment[], target: 'key' | 'value' = 'value'): Position {
    const { node, pair, depth } = this.walk(path);
    const complete = depth === path.length;
    if (pair && (target === 'key' || !complete || node === null) && isScalar(pair.key) && pair.key.range) {
      return this.position(pair.key.range[0]);
    }
    if (node?.range) return this.position(node.range[0]);
    return { line: 1, col: 1 };
  }

  /** Position of character `index` of the string value at `path` (e.g. a JSONata error inside `mapping`). */
  locateInString(path: readonly PathSegment[], index: number): Position {
    const node = this.node(path);
    if (!isScalar(node) || typeof node.value !== 'string') return this.locate(path);
    return this.position(scalarSourceOffset(this.text, node, node.value, index));
  }
}
