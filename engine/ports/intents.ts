/**
 * Destination-neutral intents: what the engine wants done to one contact, decided by the policy
 * and diffed against the subscriber it found. The destination adapter turns them into its own
 * requests (which calls, in what order, how many a round holds); the engine never writes a path.
 */
import type { EngineError } from '../errors.ts';
import type { FieldValue, NewStatus, Subscriber } from './directory.ts';

/** Find the subscriber with this email (found: null when there is none). */
export interface LookUpIntent {
  kind: 'look_up';
  email: string;
}

/** Create a subscriber: the only time a status is ever set. */
export interface CreateIntent {
  kind: 'create';
  email: string;
  /** By field key. */
  fields: Record<string, FieldValue>;
  /** Group ids to join. */
  groups: string[];
  /** Absent: the destination's default (never sent). */
  status?: NewStatus;
}

/**
 * Change an existing subscriber: update these fields (only the changed ones) and add it to these
 * groups (never a replacement of its membership). Its status is never touched.
 */
export interface UpdateIntent {
  kind: 'update';
  email: string;
  /** The subscriber as the look-up found it (its state decides how the destination writes). */
  subscriber: Subscriber;
  fields: Record<string, FieldValue>;
  /** Group ids to add; the subscriber is in none of them yet. */
  groups: string[];
}

export type WriteIntent = CreateIntent | UpdateIntent;
export type Intent = LookUpIntent | WriteIntent;

export type IntentResult =
  | {
      ok: true;
      /** The subscriber written (null when the destination did not say, or for a look-up). */
      subscriberId: string | null;
      /** True when a create made a new subscriber. */
      created: boolean;
      /** A look-up's answer: the subscriber, or null when there is none. */
      found: Subscriber | null;
    }
  | { ok: false; error: EngineError };

/** One request an intent stands for, for people: outcome details, dry-run output. Emails masked. */
export interface RequestDescription {
  /** The method and target, as the destination names them. */
  request: string;
  body?: unknown;
}
