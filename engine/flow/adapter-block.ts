import type { AdapterBlock } from './types.ts';

/** The adapter a `source:` / `destination:` block names, and its config (the schema allows exactly one). */
export function adapterBlock(block: AdapterBlock, what: string): [name: string, config: Record<string, unknown>] {
  const entries = Object.entries(block);
  const first = entries[0];
  if (entries.length !== 1 || !first) throw new Error(`${what} must name exactly one adapter`);
  return first;
}
