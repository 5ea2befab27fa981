/**
 * The engine's intents as MailerLite requests: which calls a create, an update or a look-up
 * takes, how a round becomes one /api/batch, and how its answers become per-intent results.
 */
import type { EngineError } from '../../engine/errors.ts';
import { MlErrors } from './errors.ts';
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

/**
 * Each intent's result from the batch's answers: its first failing call fails it, read in the
 * light of what the engine knew when it wrote (see writeFailure). `groupName` names a group id
 * for people (the last group list the client read).
 */
export function readRound(
  intents: readonly Intent[],
  round: Round,
  results: readonly OperationResult[],
  classify: (r: OperationResult) => EngineError | null,
  groupName: (id: string) => string | undefined = () => undefined,
): IntentResult[] {
  let i = 0;
  return intents.map((intent, n) => {
    const own = results.slice(i, i + round.spans[n]!);
    const calls = round.ops.slice(i, i + round.spans[n]!);
    i += round.spans[n]!;
    if (intent.kind === 'look_up') {
      const answer = own[0]!;
      if (answer.code === 404) return { ok: true, subscriberId: null, created: false, found: null };
      const error = classify(answer);
      if (error) return { ok: false, error };
      const found = (answer.body as { data: Subscriber }).data;
      return { ok: true, subscriberId: found.id, created: false, found };
    }
    const errors = own.map((r) => classify(r));
    const error = errors.find((e) => e !== null);
    if (error) return { ok: false, error: writeFailure(intent, calls, errors, error, groupName) };
    const first = own[0]?.body as { data?: { id?: string } } | undefined;
    const subscriberId = first?.data?.id ?? (intent.kind === 'update' ? intent.subscriber.id : null);
    return { ok: true, subscriberId, created: intent.kind === 'create' && own[0]?.code === 201, found: null };
  });
}

/**
 * A write's failure as what it means for this subscriber:
 * - an update by fields-then-groups whose only failures are group joins refused on `subscriber`
 *   (MailerLite refusing groups to an unsubscribed subscriber) is a partial write: what landed
 *   and the groups refused, by name (ML_ERR_GROUP_JOIN_REFUSED, never retried);
 * - an upsert of a subscriber the look-up found, refused on `email` without naming the
 *   subscriber, is the unsubscribed rule, not an invalid address: the subscriber exists and its
 *   address is MailerLite's own. It gets the unsubscribed rule's second look (bounded), whose
 *   fresh look-up picks the write its state takes.
 */
function writeFailure(
  intent: WriteIntent,
  calls: readonly Operation[],
  errors: ReadonlyArray<EngineError | null>,
  first: EngineError,
  groupName: (id: string) => string | undefined,
): EngineError {
  if (intent.kind !== 'update') return first;
  const id = intent.subscriber.id;
  if (WRITE_BY_STATE[intent.subscriber.status] === 'upsert') {
    return first.code === 'ML_ERR_INVALID_EMAIL' ? MlErrors.ML_ERR_SUBSCRIBER_UNSUBSCRIBED({ status: 422, subscriberId: id }) : first;
  }
  const joins = new Map(intent.groups.map((gid) => [ops.addToGroup(id, gid).path, gid]));
  const refused: string[] = [];
  const joined: string[] = [];
  for (const [k, call] of calls.entries()) {
    const gid = call.method === 'POST' ? joins.get(call.path) : undefined;
    const error = errors[k];
    if (error && (gid === undefined || !isJoinRefusal(error))) return first;
    if (gid !== undefined) (error ? refused : joined).push(gid);
  }
  const named = (ids: string[]) => ids.map((gid) => `group "${groupName(gid) ?? '?'}" (${gid})`).join(', ');
  const fields = Object.keys(intent.fields);
  const written = [
    fields.length > 0 ? `fields ${fields.join(', ')} updated` : 'no field changed',
    ...(joined.length > 0 ? [`added to ${named(joined)}`] : []),
  ].join(', ');
  return MlErrors.ML_ERR_GROUP_JOIN_REFUSED({ status: 422, written, state: intent.subscriber.status, subscriberId: id, groups: named(refused) });
}

/** A 422 whose only complaint is the subscriber itself (not a group id, not a field). */
function isJoinRefusal(error: EngineError): boolean {
  return error.code === 'ML_ERR_VALIDATION' && error.params.keys === 'subscriber';
}

/** The requests a write stands for, emails in paths masked (outcome details are stored and shown). */
export function describe(intent: WriteIntent): RequestDescription[] {
  return requestsFor(intent).map((op) => {
    const d: RequestDescription = { request: `${op.method} ${op.path.replace(/[^/]+@[^/]+/, '{email}')}` };
    if (op.body !== undefined) d.body = op.body;
    return d;
  });
}
