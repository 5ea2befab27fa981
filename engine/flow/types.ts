/**
 * A flow file as validated against schemas/flow.schema.json (secrets still as references).
 * loadFlowFile/loadFlowDir fill in the schema's defaults (triggers, settle_seconds, base_url,
 * timeout_ms), so a loaded flow has them even when the file leaves them out.
 */

export type Mode = 'mailing_list' | 'all_contacts' | 'all_contacts_by_list';
export type NewStatus = 'active' | 'unconfirmed';

/** Group slots per mode (DESIGN §4): each holds group names as the customer sees them. */
export interface GroupSlots {
  mailing_list: { new: string[]; existing: string[] };
  all_contacts: { new: string[]; unconfirmed: string[] };
  all_contacts_by_list: { mailing_list: string[]; not_on_list: string[] };
}

export type PolicyConfig = {
  [M in Mode]: { mode: M; new_status: NewStatus; groups: GroupSlots[M] };
}[Mode];

export interface FlipcauseSourceConfig {
  org_id: string;
  /** `${env:NAME}` or `${file:path}` reference. */
  signing_secret?: string;
  url_token?: string;
  /** ISO 8601 timestamp; records dated before it are skipped. */
  since: string;
  triggers: string[];
}

export interface MailerLiteDestinationConfig {
  api_key: string;
  base_url?: string;
  timeout_ms?: number;
}

export interface FlowConfig {
  flow: string;
  description?: string;
  source: { flipcause: FlipcauseSourceConfig };
  when?: string;
  /** JSONata over the normalised event; the engine's default mapping when absent. */
  mapping?: string;
  policy: PolicyConfig;
  destination: { mailerlite: MailerLiteDestinationConfig };
  /** Seconds to wait for the other records of a transaction before deciding (DESIGN §5); 0..3600, default 30. */
  settle_seconds?: number;
}
