/**
 * One MailerLite account's state: groups, fields, subscribers. The data model only: finding,
 * creating and changing records while keeping group counters exact. What the API answers (codes,
 * validation, shapes) lives in the routes and in render.ts.
 */
import type { FieldValue, SubscriberStatus } from '../types.ts';

export type FieldType = 'text' | 'number' | 'date';

export interface GroupRecord {
  id: string;
  name: string;
  createdAt: string;
  members: Set<string>;
  /** Members by status, kept in step with every join, leave and status change. */
  counts: Record<SubscriberStatus, number>;
}

export interface FieldRecord {
  id: string;
  name: string;
  key: string;
  type: FieldType;
  isDefault: boolean;
  /** Whether an automation uses the field (MailerLite's own bookkeeping; set by seeding only). */
  usedInAutomations: boolean;
}

export interface SubscriberRecord {
  id: string;
  email: string;
  status: SubscriberStatus;
  source: string;
  fields: Map<string, FieldValue>;
  /** Group ids in joining order. */
  groups: Set<string>;
  ipAddress: string | null;
  optinIp: string | null;
  subscribedAt: string;
  unsubscribedAt: string | null;
  optedInAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriberSeed {
  email: string;
  id?: string;
  status?: SubscriberStatus;
  fields?: Record<string, FieldValue>;
  /** Group names (seeded groups are named, as customers see them). */
  groups?: string[];
}

export interface AccountSeed {
  groups?: Array<string | { name: string; id?: string }>;
  /** Custom fields; the eight default fields always exist. */
  fields?: Array<{ name: string; type?: FieldType; key?: string; id?: string; usedInAutomations?: boolean }>;
  subscribers?: SubscriberSeed[];
}

/** MailerLite's default fields: ids 1–8, type text. Email is not a field. */
export const DEFAULT_FIELDS: ReadonlyArray<Omit<FieldRecord, 'isDefault' | 'usedInAutomations'>> = [
  { id: '1', name: 'Name', key: 'name', type: 'text' },
  { id: '2', name: 'Last name', key: 'last_name', type: 'text' },
  { id: '3', name: 'Company', key: 'company', type: 'text' },
  { id: '4', name: 'Country', key: 'country', type: 'text' },
  { id: '5', name: 'City', key: 'city', type: 'text' },
  { id: '6', name: 'Phone', key: 'phone', type: 'text' },
  { id: '7', name: 'State', key: 'state', type: 'text' },
  { id: '8', name: 'Zip', key: 'z_i_p', type: 'text' },
];

/**
 * Ids above 2^53, as MailerLite's are. All odd, so none survives a round trip through a JS
 * number: a client that parses them as numbers is caught at once.
 */
export class IdSource {
  private next = 2n ** 54n + 1_000_003n;
  take(): string {
    this.next += 7918n;
    return this.next.toString();
  }
}

export function timestamp(at = new Date()): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** Lower case, runs of spaces to `_`, anything else outside [a-z0-9_] dropped. */
export function fieldKeyFor(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '_')
    .replace(/[^a-z0-9_]/g, '');
}

const noCounts = (): Record<SubscriberStatus, number> => ({ active: 0, unsubscribed: 0, unconfirmed: 0, bounced: 0, junk: 0 });

export class FakeAccount {
  readonly groups = new Map<string, GroupRecord>();
  readonly fields = new Map<string, FieldRecord>();
  readonly subscribers = new Map<string, SubscriberRecord>();
  private readonly byEmail = new Map<string, string>();
  /**
   * Deleted (not forgotten) subscribers by email. MailerLite deletes softly: adding the email
   * again brings back the same record — its id, created_at and subscribed_at.
   */
  private readonly deleted = new Map<string, SubscriberRecord>();

  constructor(
    private readonly ids: IdSource,
    seed: AccountSeed = {},
  ) {
    for (const f of DEFAULT_FIELDS) this.fields.set(f.id, { ...f, isDefault: true, usedInAutomations: false });
    this.applySeed(seed);
  }

  // Subscribers

  subscriber(idOrEmail: string): SubscriberRecord | undefined {
    const id = idOrEmail.includes('@') ? this.byEmail.get(idOrEmail.toLowerCase()) : idOrEmail;
    return id === undefined ? undefined : this.subscribers.get(id);
  }

  createSubscriber(email: string, status: SubscriberStatus, id = this.ids.take()): SubscriberRecord {
    const now = timestamp();
    const sub: SubscriberRecord = {
      id,
      email: email.toLowerCase(),
      status,
      source: 'api',
      fields: new Map(),
      groups: new Set(),
      ipAddress: null,
      optinIp: null,
      subscribedAt: now,
      unsubscribedAt: status === 'unsubscribed' ? now : null,
      optedInAt: null,
      createdAt: now,
      updatedAt: now,
    };
    this.subscribers.set(sub.id, sub);
    this.byEmail.set(sub.email, sub.id);
    return sub;
  }

  /**
   * Brings a deleted subscriber with this email back (same id and created_at), with the status
   * a new subscriber would get; undefined when there is none. Its fields are kept (a soft
   * delete keeps the row); its groups were left when it was deleted.
   */
  restoreSubscriber(email: string, status: SubscriberStatus): SubscriberRecord | undefined {
    const key = email.toLowerCase();
    const sub = this.deleted.get(key);
    if (!sub) return undefined;
    this.deleted.delete(key);
    sub.status = status;
    sub.unsubscribedAt = status === 'unsubscribed' ? timestamp() : null;
    this.subscribers.set(sub.id, sub);
    this.byEmail.set(sub.email, sub.id);
    this.touch(sub);
    return sub;
  }

  setStatus(sub: SubscriberRecord, status: SubscriberStatus): void {
    if (sub.status === status) return;
    for (const gid of sub.groups) {
      const g = this.groups.get(gid);
      if (g) {
        g.counts[sub.status]--;
        g.counts[status]++;
      }
    }
    sub.status = status;
    sub.unsubscribedAt = status === 'unsubscribed' ? timestamp() : sub.unsubscribedAt;
    this.touch(sub);
  }

  join(sub: SubscriberRecord, groupId: string): void {
    const g = this.groups.get(groupId);
    if (!g || sub.groups.has(groupId)) return;
    sub.groups.add(groupId);
    g.members.add(sub.id);
    g.counts[sub.status]++;
    this.touch(sub);
  }

  leave(sub: SubscriberRecord, groupId: string): void {
    const g = this.groups.get(groupId);
    if (!sub.groups.delete(groupId)) return;
    if (g) {
      g.members.delete(sub.id);
      g.counts[sub.status]--;
    }
    this.touch(sub);
  }

  /** Sent keys overwrite, others are kept. */
  mergeFields(sub: SubscriberRecord, fields: Record<string, FieldValue>): void {
    for (const [key, value] of Object.entries(fields)) sub.fields.set(key, value);
    this.touch(sub);
  }

  /** `delete` keeps the record for a later restore; `forget` erases it. */
  removeSubscriber(sub: SubscriberRecord, how: 'delete' | 'forget'): void {
    for (const gid of [...sub.groups]) this.leave(sub, gid);
    this.subscribers.delete(sub.id);
    this.byEmail.delete(sub.email);
    if (how === 'delete') this.deleted.set(sub.email, sub);
    else this.deleted.delete(sub.email);
  }

  touch(sub: SubscriberRecord): void {
    sub.updatedAt = timestamp();
  }

  // Groups

  createGroup(name: string, id = this.ids.take()): GroupRecord {
    const g: GroupRecord = { id, name, createdAt: timestamp(), members: new Set(), counts: noCounts() };
    this.groups.set(id, g);
    return g;
  }

  groupByName(name: string): GroupRecord | undefined {
    for (const g of this.groups.values()) if (g.name === name) return g;
    return undefined;
  }

  removeGroup(g: GroupRecord): void {
    for (const sid of [...g.members]) {
      const sub = this.subscribers.get(sid);
      if (sub) this.leave(sub, g.id);
    }
    this.groups.delete(g.id);
  }

  // Fields

  fieldByKey(key: string): FieldRecord | undefined {
    for (const f of this.fields.values()) if (f.key === key) return f;
    return undefined;
  }

  fieldByName(name: string): FieldRecord | undefined {
    const wanted = name.trim().toLowerCase();
    for (const f of this.fields.values()) if (f.name.trim().toLowerCase() === wanted) return f;
    return undefined;
  }

  /** The generated key, made unique when another field already holds it. */
  createField(name: string, type: FieldType, opts: { id?: string; key?: string; usedInAutomations?: boolean } = {}): FieldRecord {
    const base = opts.key ?? (fieldKeyFor(name) || 'field');
    let key = base;
    for (let n = 2; this.fieldByKey(key); n++) key = `${base}_${n}`;
    const f: FieldRecord = { id: opts.id ?? this.ids.take(), name, key, type, isDefault: false, usedInAutomations: opts.usedInAutomations ?? false };
    this.fields.set(f.id, f);
    return f;
  }

  removeField(f: FieldRecord): void {
    this.fields.delete(f.id);
    for (const sub of this.subscribers.values()) sub.fields.delete(f.key);
  }

  // Seeding

  private applySeed(seed: AccountSeed): void {
    for (const g of seed.groups ?? []) {
      const spec = typeof g === 'string' ? { name: g } : g;
      this.createGroup(spec.name, spec.id);
    }
    for (const f of seed.fields ?? []) {
      // `{ name: 'City', usedInAutomations: true }` marks the default field, not a second City.
      const existing = this.fieldByKey(f.key ?? fieldKeyFor(f.name));
      if (existing?.isDefault && f.usedInAutomations !== undefined) {
        existing.usedInAutomations = f.usedInAutomations;
        continue;
      }
      const opts: { id?: string; key?: string; usedInAutomations?: boolean } = {};
      if (f.id !== undefined) opts.id = f.id;
      if (f.key !== undefined) opts.key = f.key;
      if (f.usedInAutomations !== undefined) opts.usedInAutomations = f.usedInAutomations;
      this.createField(f.name, f.type ?? 'text', opts);
    }
    for (const s of seed.subscribers ?? []) {
      const sub = this.createSubscriber(s.email, s.status ?? 'active', s.id);
      if (s.fields) this.mergeFields(sub, s.fields);
      for (const name of s.groups ?? []) {
        const g = this.groupByName(name) ?? this.createGroup(name);
        this.join(sub, g.id);
      }
    }
  }
}
