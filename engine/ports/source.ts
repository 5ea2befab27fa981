/** The source port: how a delivery becomes stored records and a record becomes a normalised event. */
import type { NormalisedEvent } from './event.ts';

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

export interface GroupKeys {
  email: string | null;
  txn: string | null;
}

export interface Source {
  /** Throws an input EngineError (status 401) unless the request is authentic. */
  authenticate(req: InboundRequest): void;
  /** Splits a delivery into records; throws an input EngineError (4xx) for a bad delivery, never half-accepts. */
  parse(body: Buffer): IntakeRecord[];
  /** Pure: one raw record to the normalised event. */
  normalise(raw: Record<string, unknown>): NormalisedEvent;
  /**
   * Pure: only what intake stores to group a contact's records, exactly as `normalise` gives it
   * (`contact.email`, `event.transaction_id`), without building the rest. Optional: intake
   * normalises the record when a source has none.
   */
  groupKeys?(raw: Record<string, unknown>): GroupKeys;
  /** Known fields a record of a known trigger type no longer carries (the sender changed its payload). */
  drift?(raw: Record<string, unknown>): string[];
}
