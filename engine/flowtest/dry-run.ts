import { subjectOf } from '../runtime/intake.ts';
import { accountDirectory } from '../pipeline/account-directory.ts';
import type { CompiledFlow } from '../pipeline/compiled-flow.ts';
import { cleanMapped } from '../pipeline/mapped.ts';
import { plan } from '../pipeline/plan.ts';
import { prepare } from '../pipeline/prepare.ts';
import { formUnits } from '../pipeline/units.ts';
import type { Subscriber } from '../ports/directory.ts';
import type { RequestDescription } from '../ports/intents.ts';
import type { IntakeRecord } from '../ports/source.ts';
import type { StoredRecord } from '../store/types.ts';

/** What a dry run decided for one record (or for the unit it belongs to). */
export interface DryRunLine {
  /** `trigger:recordId` of every record this line covers. */
  records: string[];
  outcome: 'create' | 'update' | 'no_change' | 'skip' | 'error';
  reason?: string;
  rule?: string;
  /** The MailerLite state the look-up found. */
  state?: string;
  /** The writes a real run would send, in order (as the destination describes them). */
  requests: RequestDescription[];
}

function stored(flow: CompiledFlow, r: IntakeRecord, id: number): StoredRecord {
  const ev = flow.source.normalise(r.raw);
  return {
    id, flow: flow.id, dedupeKey: r.dedupeKey, trigger: r.trigger, raw: r.raw, receivedAt: 0,
    subject: ev.contact?.email ? subjectOf(flow.id, ev.contact.email) : null, txn: ev.event.transaction_id,
    status: 'pending', availableAt: 0, attempts: 0, outcome: null, reason: null, errorCode: null, finishedAt: null,
  };
}

/**
 * Decides a delivery as the worker would (prepare → units → mapping → look-up → policy → plan)
 * but sends nothing that writes: the account's groups and fields are listed and each contact is
 * looked up (reads only); the planned writes are returned, described, instead of sent. List membership comes
 * from the delivery alone (a dry run has no history of earlier sign-ups).
 */
export async function dryRun(flow: CompiledFlow, records: readonly IntakeRecord[]): Promise<DryRunLine[]> {
  const client = flow.destination;
  const [groups, fields] = await Promise.all([client.listGroups(), client.listFields()]);
  const dir = accountDirectory(groups, fields);
  const lines: DryRunLine[] = [];
  const prepared = [];
  for (const [i, r] of records.entries()) {
    try {
      const p = await prepare(flow, stored(flow, r, i + 1));
      if (p.skip) lines.push({ records: [r.dedupeKey], outcome: 'skip', reason: p.skip, requests: [] });
      else prepared.push(p);
    } catch (err) {
      lines.push({ records: [r.dedupeKey], outcome: 'error', reason: (err as Error).message, requests: [] });
    }
  }
  for (const unit of formUnits(prepared)) {
    const keys = unit.records.map((p) => p.record.dedupeKey);
    try {
      const mapped = cleanMapped(await flow.mapping.evaluate(unit.event));
      const email = mapped.email ?? unit.email;
      if (!email) {
        const reason = unit.event.contact?.email_status === 'invalid' ? 'invalid_email' : 'no_email';
        lines.push({ records: keys, outcome: 'skip', reason, requests: [] });
        continue;
      }
      const existing: Subscriber | null = await client.findSubscriber(email);
      const state = existing?.status ?? 'none';
      const decision = flow.decide({ onList: unit.joinedList, state });
      if (decision.action === 'skip') {
        lines.push({ records: keys, outcome: 'skip', reason: decision.reason, rule: decision.rule, state, requests: [] });
        continue;
      }
      const p = plan(decision, { ...mapped, email }, existing, dir);
      if (p.action === 'none') lines.push({ records: keys, outcome: 'no_change', rule: decision.rule, state, requests: [] });
      else lines.push({ records: keys, outcome: p.action, rule: decision.rule, state, requests: client.describe(p.intent) });
    } catch (err) {
      lines.push({ records: keys, outcome: 'error', reason: (err as Error).message, requests: [] });
    }
  }
  return lines;
}
