import type { NormalisedEvent } from '../ports/event.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';

/** A backfill row with every column filled, so the mapping's view of backfilled contacts is sampled too. */
const BACKFILL_SAMPLE: Record<string, string> = {
  first_name: 'sample', last_name: 'contact', email: 'sample.contact@example.org', business_name: 'Sample Org',
  address_line: '1 Example Way', address_line2: 'Suite 2', city: 'Oakland', state: 'CA', postal_code: '94607',
  country: 'United States', phone_number: '5105550100',
};

/**
 * Representative normalised events: every person-carrying Flipcause sample delivery (donations,
 * sign-ups, new and updated contacts, refunds) plus a backfilled contact. `check` evaluates the
 * flow's mapping over them to learn which fields it sets and what kind of values it produces.
 */
export function sampleEvents(flow: CompiledFlow): NormalisedEvent[] {
  const { testing, backfill } = flow.sourceAdapter;
  const raws = testing.fixtureNames().flatMap((name) => testing.fixtureRecords(name));
  raws.push(backfill.record(flow.sourceConfig, BACKFILL_SAMPLE, { line: 2, onList: false }));
  return raws.map((raw) => flow.source.normalise(raw)).filter((ev) => ev.contact !== null);
}
