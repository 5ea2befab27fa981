/**
 * A flow file as validated against schemas/flow.schema.json (secrets still as references).
 * loadFlowFile/loadFlowDir fill in the schema's defaults (the adapters' and settle_seconds), so
 * a loaded flow has them even when the file leaves them out.
 */
import type { NewStatus } from '../ports/directory.ts';

export type { NewStatus };
export type Mode = 'mailing_list' | 'all_contacts' | 'all_contacts_by_list';

/** Group slots per mode (DESIGN §4): each holds group names as the customer sees them. */
export interface GroupSlots {
  mailing_list: { new: string[]; existing: string[] };
  all_contacts: { new: string[]; unconfirmed: string[] };
  all_contacts_by_list: { mailing_list: string[]; not_on_list: string[] };
}

export type PolicyConfig = {
  [M in Mode]: { mode: M; new_status: NewStatus; groups: GroupSlots[M] };
}[Mode];

/**
 * An adapter block: `{ <adapter name>: <its config> }`, exactly one key (the schema checks it).
 * Each adapter owns its config's type; the engine reads a block only through its adapter.
 */
export type AdapterBlock = Record<string, Record<string, unknown>>;

export interface FlowConfig {
  flow: string;
  description?: string;
  /** A worked example: unset secrets make it "not configured" rather than an error. */
  example?: boolean;
  source: AdapterBlock;
  when?: string;
  /** JSONata over the normalised event; the engine's default mapping when absent. */
  mapping?: string;
  policy: PolicyConfig;
  destination: AdapterBlock;
  /** Seconds to wait for the other records of a transaction before deciding (DESIGN §5); 0..3600 (the schema's default when the file leaves it out). */
  settle_seconds: number;
}
