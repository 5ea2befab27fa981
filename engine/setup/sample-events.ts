import type { NormalisedEvent } from '../ports/event.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';


/**
 * Representative normalised events: every person-carrying Flipcause sample delivery (donations,
 * sign-ups, new and updated contacts, refunds) plus a backfilled contact. `check` evaluates the
 * flow's mapping over them to learn which fields it sets and what kind of values it produces.
 */
export function sampleEvents(flow: CompiledFlow): NormalisedEvent[] {
  const { testing, exports } = flow.sourceAdapter;
  const raws = testing.fixtureNames().flatMap((name) => testing.fixtureRecords(name));
  raws.push(exports.sample(flow.sourceConfig));
  return raws.map((raw) => flow.source.normalise(raw)).filter((ev) => ev.contact !== null);
}
