/**
 * Adapters are registered by name: a definition declaring its config schema, factory, secrets,
 * checks, quirks and testing kit (engine/ports/adapter.ts). The engine reaches concrete adapters
 * only through this registry; adapters/index.ts registers the built-ins.
 */
import type { DestinationAdapter, SourceAdapter } from './ports/adapter.ts';

const sources = new Map<string, SourceAdapter<any>>();
const destinations = new Map<string, DestinationAdapter<any>>();
let version = 0;

export function registerSource(adapter: SourceAdapter<any>): void {
  if (sources.has(adapter.name)) throw new Error(`source adapter ${adapter.name} registered twice`);
  sources.set(adapter.name, adapter);
  version++;
}

export function registerDestination(adapter: DestinationAdapter<any>): void {
  if (destinations.has(adapter.name)) throw new Error(`destination adapter ${adapter.name} registered twice`);
  destinations.set(adapter.name, adapter);
  version++;
}

export function sourceAdapter(name: string): SourceAdapter<any> | undefined {
  return sources.get(name);
}

export function destinationAdapter(name: string): DestinationAdapter<any> | undefined {
  return destinations.get(name);
}

export function sourceAdapters(): SourceAdapter<any>[] {
  return [...sources.values()];
}

export function destinationAdapters(): DestinationAdapter<any>[] {
  return [...destinations.values()];
}

/** Changes whenever an adapter registers: what is built from the registered set is rebuilt then. */
export function registryVersion(): number {
  return version;
}
