/**
 * The import rules of DESIGN §2, checked over source text: the engine owns its ports, adapters
 * own their wire protocols. Pure: files in, violations out (test/import-boundary.test.ts).
 */
import { dirname, join, normalize } from 'node:path';

export interface SourceFile {
  /** Repository-relative, forward slashes, e.g. `engine/worker/account-worker.ts`. */
  path: string;
  text: string;
}

export interface ImportEdge {
  from: string;
  to: string;
}

/** Composition roots: the only files outside adapters/ that may import adapters/index.ts. */
export const COMPOSITION_ROOTS: ReadonlySet<string> = new Set([
  'engine/server/server.ts',
  'engine/flowtest/run-tests.ts',
  'engine/demo/run-demo.ts',
  'engine/cli/standalone-validators.ts',
]);

/** Engine files an adapter may import besides engine/ports/: what its error table is written in. */
export const ADAPTER_VOCABULARY: ReadonlySet<string> = new Set(['engine/errors.ts', 'engine/failure/schedules.ts']);

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of one file, resolved to repository paths. */
export function importsOf(file: SourceFile): ImportEdge[] {
  const out: ImportEdge[] = [];
  // Comments may quote import lines; strip them first.
  const code = file.text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    out.push({ from: file.path, to: normalize(join(dirname(file.path), spec)).replaceAll('\\', '/') });
  }
  return out;
}

const isTest = (path: string): boolean => path.startsWith('test/') || /\.test\.ts$/.test(path);
/** Roots: the CLI commands, the demo, the listed engine entries; benchmarks and tests are programs of their own. */
const isRoot = (path: string): boolean =>
  COMPOSITION_ROOTS.has(path) || path.startsWith('engine/cli/commands/') || path.startsWith('engine/demo/') || path.startsWith('bench/') || isTest(path);

/** The folder an import counts against: engine/<sub>, a top-level engine file, or adapters/<name>. */
export function folderOf(path: string): string | null {
  const parts = path.split('/');
  if (parts[0] !== 'engine' && parts[0] !== 'adapters') return null;
  if (parts.length === 2) return path;
  return `${parts[0]}/${parts[1]}`;
}

/** Every crossing of the boundary, as readable lines. */
export function boundaryViolations(edges: readonly ImportEdge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const fromAdapters = from.startsWith('adapters/');
    const toAdapters = to.startsWith('adapters/');
    if (fromAdapters && from !== 'adapters/index.ts') {
      // An adapter reaches the engine only through its ports, plus the vocabulary its error table
      // is written in (error definitions, retry schedules).
      if (to.startsWith('engine/') && !to.startsWith('engine/ports/') && !ADAPTER_VOCABULARY.has(to)) out.push(`${from} imports ${to}: adapters import only engine/ports/`);
      // Adapters do not reach into each other.
      if (toAdapters && to.split('/')[1] !== from.split('/')[1]) out.push(`${from} imports ${to}: one adapter imports another`);
    }
    if (from === 'adapters/index.ts' && to.startsWith('engine/') && to !== 'engine/registry.ts') out.push(`${from} imports ${to}: the registration file imports only the registry`);
    if (!fromAdapters && toAdapters) {
      if (to === 'adapters/index.ts') {
        if (!isRoot(from)) out.push(`${from} imports ${to}: only composition roots register the adapters`);
      } else if (!/^adapters\/[^/]+\/index\.ts$/.test(to)) {
        out.push(`${from} imports ${to}: outside adapters/, import only adapters/<name>/index.ts`);
      } else if (from.startsWith('engine/') && !isRoot(from)) {
        out.push(`${from} imports ${to}: the engine reaches adapters only through the registry`);
      }
    }
  }
  return out;
}

/** Import cycles among folders (engine/<sub>, top-level engine files, adapters/<name>), tests left out. */
export function folderCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (isTest(from)) continue;
    const a = folderOf(from);
    const b = folderOf(to);
    if (!a || !b || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  // Tarjan's strongly connected components: any component of two or more folders is a cycle.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}
