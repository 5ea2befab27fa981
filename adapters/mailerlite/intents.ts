/**
 * The engine's intents as MailerLite requests: which calls a create, an update or a look-up
 * takes, how a round becomes one /api/batch, and how its answers become per-intent results.
 */
import type { EngineError } from '../../engine/errors.ts';
import type { SubscriberStatus } from '../../engine/ports/directory.ts';
import type { Intent, IntentResult, RequestDescription, WriteIntent } from '../../engine/ports/intents.ts';
import { isImport, ops } from './operations.ts';
import type { Operation, OperationResult, Subscriber } from './types.ts';

/**
 * How MailerLite accepts a change to an existing subscriber:
 * - `upsert`: POST /api/subscribers without status; fields and (additive) groups in one call.
 * - `fields_then_groups`: MailerLite refuses to upsert unsubscribed (and, to be safe, bounced and
 *   junk) subscribers with a 422, so fields go by PUT /api/subscribers/{id} with fields only
 *   (never `groups`: on PUT they replace membership), then each group by
 *   POST /api/subscribers/{id}/groups/{gid}.
 */
export type WriteMethod = 'upsert' | 'fields_then_groups';

export const WRITE_BY_STATE: Readonly<Record<SubscriberStatus, WriteMethod>> = {
  active: 'upsert',
  unconfirmed: 'upsert',
  unsubscribed: 'fields_then_groups',
  bounced: 'fields_then_groups',
  junk: 'fields_then_groups',
};

/** The calls one intent takes, in order. Status is sent only on create; PUT never carries groups. */
export function requestsFor(intent: Intent): Operation[] {
  switch (intent.kind) {
    case 'look_up':
      return [ops.findSubscriber(intent.email)];
    case 'create': {
      const body: Record<string, unknown> = { email: intent.email, fields: intent.fields, groups: intent.groups };
      if (intent.status !== undefined) body.status = intent.status;
      return [{ method: 'POST', path: 'api/subscribers', body }];
    }
    case 'update': {
      const changed = Object.keys(intent.fields).length > 0;
      if (WRITE_BY_STATE[intent.subscriber.status] === 'upsert') {
        const body: Record<string, unknown> = { email: intent.email, fields: intent.fields };
        if (intent.groups.length > 0) body.groups = intent.groups;
        return [{ method: 'POST', path: 'api/subscribers', body }];
      }
      const out: Operation[] = [];
      if (changed) out.push(ops.updateSubscriberFields(intent.subscriber.id, intent.fields));
      for (const gid of intent.groups) out.push(ops.addToGroup(intent.subscriber.id, gid));
      return out;
    }
  }
}

export interface Round {
  ops: Operation[];
  /** How many of `ops` each intent took, in intent order. */
  spans: number[];
}

/**
 * One round as one batch. A batch of writes alone would be an import, limited to 5 a minute:
 * when there is room, one look-up of a written subscriber keeps it an ordinary request (its
 * answer is unused).
 */
export function composeRound(intents: readonly Intent[], limit: number): Round {
  const list: Operation[] = [];
  const spans: number[] = [];
  for (const intent of intents) {
    const calls = requestsFor(intent);
    list.push(...calls);
    spans.push(calls.length);
  }
  if (list.length > 0 && list.length < limit && isImport(list)) {
    list.push(ops.findSubscriber(String((list[0]!.body as { email: unknown }).email)));
  }
  return { ops: list, spans };
}

/** Each intent's result from the batch's answers: its first failing call fails it. */
export function readRound(
  intents: readonly Intent[],
  round: Round,
  results: readonly OperationResult[],
  classify: (r: OperationResult) => EngineError | null,
): IntentResult[] {
  let i = 0;
  return intents.map((intent, n) => {
    const own = results.slice(i, i + round.spans[n]!);
    i += round.spans[n]!;
    if (intent.kind === 'look_up') {
      const answer = own[0]!;
      if (answer.code === 404) return { ok: true, subscriberId: null, created: false, found: null };
      const error = classify(answer);
      if (error) return { ok: false, error };
      const found = (answer.body as { data: Subscriber }).data;
      return { ok: true, subscriberId: found.id, created: false, found };
    }
    for (const r of own) {
      const error = classify(r);
      if (error) return { ok: false, error };
    }
    const first = own[0]?.body as { data?: { id?: string } } | undefined;
    const subscriberId = first?.data?.id ?? (intent.kind === 'update' ? intent.subscriber.id : null);
    return { ok: true, subscriberId, created: intent.kind === 'create' && own[0]?.code === 201, found: null };
  });
}

/** The requests a write stands for, emails in paths masked (outcome details are stored and shown). */
export function describe(intent: WriteIntent): RequestDescription[] {
  return requestsFor(intent).map((op) => {
    const d: RequestDescription = { request: `${op.method} ${op.path.replace(/[^/]+@[^/]+/, '{email}')}` };
    if (op.body !== undefined) d.body = op.body;
    return d;
  });
}
