/**
 * Reading a V8 CPU profile (what `node --cpu-prof` writes, or the inspector's Profiler.stop
 * answers): the functions that held the CPU longest by their own time (self: not counting what
 * they called), and the project's functions by total time (everything under them), as shares of
 * the busy time (idle left out).
 */
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  /** `name (file:line)`, the file relative to the project, or the runtime's own label. */
  where: string;
  /** Share of busy time. */
  share: number;
}

function label(frame: ProfileNode['callFrame'], root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.startsWith('file://') ? relative(root, new URL(frame.url).pathname) : frame.url;
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

const isProject = (where: string): boolean => / \((engine|adapters)\//.test(where);

/**
 * The `top` functions by self time, and the project's (engine/, adapters/) by total time;
 * `root` is what file paths are shown relative to.
 */
export function hotFunctions(profile: CpuProfile, root: string, top = 10): { self: HotFunction[]; total: HotFunction[]; busyMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let busy = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    // A sample stands for the time until the next one.
    const us = Math.max(0, deltas[i + 1] ?? 0);
    busy += us;
    const own = label(node.callFrame, root);
    self.set(own, (self.get(own) ?? 0) + us);
    // Total time: once per function on the stack, however deep it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const where = label(byId.get(id)!.callFrame, root);
      if (seen.has(where)) continue;
      seen.add(where);
      total.set(where, (total.get(where) ?? 0) + us);
    }
  }
  const ranked = (m: Map<string, number>, keep: (where: string) => boolean) => [...m]
    .filter(([where]) => keep(where))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, share: busy > 0 ? us / busy : 0 }));
  return { self: ranked(self, () => true), total: ranked(total, isProject), busyMs: busy / 1000 };
}
