/** Where a flow holds secret references (these must never be literals): as each adapter declares them. */
import { destinationAdapter, sourceAdapter } from '../registry.ts';
import type { PathSegment } from './yaml-path.ts';

export interface SecretPath {
  path: readonly PathSegment[];
  /** The secret identifies a customer: two flows sharing one is a copy-paste mistake. */
  identifiesCustomer: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The secret fields of the adapters this (possibly invalid) flow names. */
export function secretPaths(data: unknown): SecretPath[] {
  const out: SecretPath[] = [];
  if (!isObject(data)) return out;
  for (const section of ['source', 'destination'] as const) {
    const block = data[section];
    if (!isObject(block)) continue;
    for (const name of Object.keys(block)) {
      const adapter = section === 'source' ? sourceAdapter(name) : destinationAdapter(name);
      for (const f of adapter?.secretFields ?? []) out.push({ path: [section, name, f.key], identifiesCustomer: f.identifiesCustomer });
    }
  }
  return out;
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
