/**
 * The MailerLite client: the engine's Destination port plus MailerLite's own calls (set-up
 * scripts, tests). Shapes follow MailerLite's API (ids are strings).
 */
import type { EngineError } from '../../engine/errors.ts';
import type { Field, FieldValue, Group, Subscriber } from '../../engine/ports/directory.ts';
import type { CallOptions, Destination } from '../../engine/ports/destination.ts';

export type { Field, FieldValue, Group, Subscriber, SubscriberStatus } from '../../engine/ports/directory.ts';

export interface UpsertInput {
  email: string;
  fields?: Record<string, FieldValue>;
  /** Group ids; added, never removed. */
  groups?: string[];
  /** Only ever sent when creating. */
  status?: 'active' | 'unconfirmed';
}

/** One MailerLite call as data: what a plan holds and what /api/batch takes. Path has no leading slash: "api/subscribers". */
export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface OperationResult {
  /** HTTP status of this call (or of this batch item). */
  code: number;
  body: unknown;
}

export interface MailerLiteClient extends Destination {
  /** Opaque, non-secret id of the API key + base URL: the unit of rate budgets and worker partitions. */
  readonly accountKey: string;
  findSubscriber(email: string): Promise<Subscriber | null>;
  upsertSubscriber(input: UpsertInput): Promise<{ subscriber: Subscriber; created: boolean }>;
  /** Merges fields of an existing subscriber (PUT without groups/status: membership and status untouched). */
  updateSubscriberFields(id: string, fields: Record<string, FieldValue>): Promise<Subscriber>;
  addToGroup(subscriberId: string, groupId: string): Promise<void>;
  listGroups(options?: CallOptions): Promise<Group[]>;
  listFields(options?: CallOptions): Promise<Field[]>;
  createGroup(name: string): Promise<Group>;
  createField(name: string, type: Field['type']): Promise<Field>;
  deleteSubscriber(id: string): Promise<void>;
  forgetSubscriber(id: string): Promise<void>;
  /** Sends one operation under the rate budget; non-2xx answers come back as results, transport failures throw. */
  send(op: Operation): Promise<OperationResult>;
  /** Sends ≤50 operations as one /api/batch under the rate budget; results in request order. */
  batch(ops: Operation[]): Promise<OperationResult[]>;
  /**
   * How many operations the next batch should hold: a full batch (50) when MailerLite counts a
   * batch as one request; when it counts each item, the slots the rate budget has free now, so
   * a window's last slots are used instead of waiting a whole window for room for 50.
   */
  batchCapacity(): number;
  /** True when MailerLite would process this batch as an import (only subscriber upserts: 5 a minute). */
  isImport(ops: Operation[]): boolean;
  /** The classified error a non-2xx result stands for (null for 2xx): the same table for calls and batch items. */
  classify(result: OperationResult): EngineError | null;
}
