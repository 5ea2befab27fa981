/**
 * A write's answer into the record's outcome, saying what the destination did: a create answered
 * 2xx counts as created (MailerLite answers 200 with the old id when a deleted subscriber is added
 * back, and a create re-sent after a lost answer finds its own subscriber), and so does a unit
 * whose earlier create's answer was lost. The effect is recorded for purge-test-contacts.
 */
import type { EngineError } from '../errors.ts';
import type { Destination } from '../ports/destination.ts';
import type { IntentResult } from '../ports/intents.ts';
import type { OutcomeBatch } from '../store/types.ts';
import type { Outcomes } from './outcomes.ts';
import type { Job } from './work.ts';

export function finishJob(
  outcomes: Outcomes,
  batch: OutcomeBatch,
  client: Destination,
  job: Job,
  result: IntentResult,
  now: number,
  failed: (job: Job, error: EngineError) => void,
): void {
  if (!result.ok) return failed(job, result.error);
  const intent = job.plan.intent;
  const subscriberId = result.subscriberId ?? job.existing?.id ?? '';
  const outcome = intent.kind === 'create' || job.createdEarlier ? 'created' : 'updated';
  const primary = job.unit.records[0]!.record;
  if (subscriberId) {
    batch.effects.push({ flow: job.flow.id, recordId: primary.id, subscriberId, email: job.mapped.email, action: outcome, at: now });
  }
  outcomes.finishUnit(batch, job.unit, {
    outcome,
    detail: {
      rule: job.decision.rule,
      on_list: job.onList,
      ml_status: job.existing?.status ?? 'none',
      subscriber: subscriberId,
      groups: job.plan.groups,
      requests: client.describe(intent).map((d) => d.request),
      ml_did: mlDid(job, result.created),
    },
  }, now);
}

/** What the destination did, in words for the record's detail. */
function mlDid(job: Job, newSubscriber: boolean): string {
  if (job.plan.intent.kind === 'create') return newSubscriber ? 'created a new subscriber' : 'created; answered with an existing subscriber (re-added or a repeated create)';
  return job.createdEarlier ? 'updated the subscriber an earlier create made (its answer was lost)' : 'updated';
}
