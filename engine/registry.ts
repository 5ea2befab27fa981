/**
 * Adapters are registered by name: a config schema plus a factory (the Benthos model). The engine
 * reaches concrete adapters only through this registry; adapters/index.ts registers the built-ins.
 */
import type { NormalisedEvent } from '../adapters/flipcause/event.ts';
import type { MailerLiteClient } from '../adapters/mailerlite/types.ts';

export interface IntakeRecord {
  trigger: string;
  recordId: string;
  /** `${trigger}:${recordId}`: unique per flow (record-id sequences are per trigger type). */
  dedupeKey: string;
  raw: Record<string, unknown>;
}

export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The URL token segment, when the delivery came to /hooks/<flow>/<token>. */
  token?: string;
}

export interface Source {
  /** Throws an input EngineError (status 401) unless the request is authentic. */
  authenticate(req: InboundRequest): void;
  /** Splits a delivery into records; throws an input EngineError (4xx) for a bad delivery, never half-accepts. */
  parse(body: Buffer): IntakeRecord[];
  /** Pure: one raw record to the normalised event. */
  normalise(raw: Record<string, unknown>): NormalisedEvent;
  /** Known fields a record of a known trigger type no longer carries (the sender changed its payload). */
  drift?(raw: Record<string, unknown>): string[];
}

export type Destination = MailerLiteClient;

export interface AdapterContext {
  /** Resolves `${env:NAME}` / `${file:path}` references to their value. */
  secret(ref: string): string;
}

export interface SourceAdapter<Config = never> {
  name: string;
  /** JSON Schema of this adapter's block under `source:` in a flow file. */
  configSchema: Record<string, unknown>;
  create(config: Config, ctx: AdapterContext): Source;
}

export interface DestinationAdapter<Config = never> {
  name: string;
  /** JSON Schema of this adapter's block under `destination:` in a flow file. */
  configSchema: Record<string, unknown>;
  create(config: Config, ctx: AdapterContext): Destination;
}

const sources = new Map<string, SourceAdapter<any>>();
const destinations = new Map<string, DestinationAdapter<any>>();

export function registerSource(adapter: SourceAdapter<any>): void {
  if (sources.has(adapter.name)) throw new Error(`source adapter ${adapter.name} registered twice`);
  sources.set(adapter.name, adapter);
}

export function registerDestination(adapter: DestinationAdapter<any>): void {
  if (destinations.has(adapter.name)) throw new Error(`destination adapter ${adapter.name} registered twice`);
  destinations.set(adapter.name, adapter);
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
