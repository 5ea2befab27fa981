export interface BackfillRecordOptions {
  /** The row's line in the CSV file (its dedupe identity within one export). */
  line: number;
  /** The flow's Flipcause account: backfilled records belong to it like live ones do. */
  orgId: string;
  /** Treat the contact as having joined the mailing list (an export of the mailing-list report). */
  onList?: boolean;
}

/**
 * One export row (already keyed by raw record names) as the raw record the Flipcause normaliser
 * understands: a new_contact record with unprefixed names.
 *
 * It deliberately carries NO date. The flow's `since` cut-off skips records dated before the
 * go-live moment so that history does not flood in through webhooks; backfill exists precisely to
 * bring those older contacts in, and the normaliser lets an undated record through the cut-off.
 */
export function backfillRecord(values: Readonly<Record<string, string>>, options: BackfillRecordOptions): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    webhook_record_id: `backfill-${options.line}`,
    webhook_trigger_type: 'new_contact',
    user_id: options.orgId,
  };
  for (const [name, value] of Object.entries(values)) if (value.trim() !== '') raw[name] = value;
  if (options.onList) raw.activity_type = 'Mailing List';
  return raw;
}
