/**
 * A record's story for the record page, from the store's history: received, each attempt with
 * the policy row that decided it and what was sent to MailerLite and what it answered, the
 * records it was decided with, and where it stands now. Pure.
 */
import type { HistoryEntry, StoredRecord } from '../store/types.ts';
import type { DecisionRow } from './decision-rows.ts';

export type Tone = 'ok' | 'bad' | 'neutral';

export interface TimelineEntry {
  at: number | null;
  title: string;
  tone: Tone;
  lines: string[];
  /** The policy row that decided this attempt, in the customer's words. */
  rule?: { id: string; text: string };
  /** The requests sent, as the destination names them. */
  requests: string[];
  /** Records this entry links to (decided with, coalesced into). */
  links: { label: string; id: number }[];
}

interface Detail {
  rule?: unknown; on_list?: unknown; ml_status?: unknown; subscriber?: unknown; groups?: unknown;
  requests?: unknown; ml_did?: unknown; into?: unknown;
}

function asDetail(d: unknown): Detail {
  return typeof d === 'object' && d !== null ? (d as Detail) : {};
}

const TONES: Readonly<Record<string, Tone>> = { created: 'ok', updated: 'ok', skipped: 'neutral', failed: 'bad', dead: 'bad' };

export function recordTimeline(record: StoredRecord, history: readonly HistoryEntry[], coalesced: readonly number[], rows: readonly DecisionRow[] | null): TimelineEntry[] {
  const entries: TimelineEntry[] = [{
    at: record.receivedAt,
    title: 'Received',
    tone: 'ok',
    lines: [`delivery accepted with a valid signature; trigger ${record.trigger}`, ...(record.txn ? [`transaction ${record.txn}`] : [])],
    requests: [],
    links: [],
  }];
  for (const h of history) entries.push(attempt(h, rows));
  if (coalesced.length > 0) {
    entries.push({
      at: record.finishedAt,
      title: `Settled together with ${coalesced.length} other record${coalesced.length === 1 ? '' : 's'}`,
      tone: 'neutral',
      lines: ['records of one contact or transaction are decided once; this record carries the outcome'],
      requests: [],
      links: coalesced.map((id) => ({ label: `#${id}`, id })),
    });
  }
  entries.push(now(record));
  return entries;
}

function attempt(h: HistoryEntry, rows: readonly DecisionRow[] | null): TimelineEntry {
  const d = asDetail(h.detail);
  const lines: string[] = [];
  if (h.errorCode || h.reason) lines.push(`${h.errorCode ? `${h.errorCode}: ` : ''}${h.reason ?? ''}`.trim());
  if (typeof d.ml_status === 'string') lines.push(`in MailerLite before: ${d.ml_status}${typeof d.on_list === 'boolean' ? `; ${d.on_list ? 'on' : 'not on'} the mailing list` : ''}`);
  if (typeof d.ml_did === 'string') lines.push(`MailerLite answered: ${d.ml_did}`);
  if (typeof d.subscriber === 'string' && d.subscriber !== '') lines.push(`subscriber ${d.subscriber}`);
  if (Array.isArray(d.groups) && d.groups.length > 0) lines.push(`groups added: ${d.groups.map(String).join(', ')}`);
  const entry: TimelineEntry = {
    at: h.at,
    title: `${h.outcome === 'failed' ? 'Failed, will retry' : capitalise(h.outcome)} (attempt ${h.attempt})`,
    tone: TONES[h.outcome] ?? 'neutral',
    lines,
    requests: Array.isArray(d.requests) ? d.requests.map(String) : [],
    links: typeof d.into === 'number' ? [{ label: `decided with record #${d.into}`, id: d.into }] : [],
  };
  if (typeof d.rule === 'string') {
    const row = rows?.find((r) => r.id === d.rule);
    entry.rule = { id: d.rule, text: row ? `${row.contact}, ${row.inMailerLite}: ${row.whatHappens}` : 'a policy row this flow no longer has' };
  }
  return entry;
}

function now(r: StoredRecord): TimelineEntry {
  const base = { requests: [], links: [] };
  if (r.status === 'pending') {
    return { ...base, at: r.availableAt, title: r.attempts > 0 ? 'Waiting for its next attempt' : 'Waiting to be sent', tone: 'neutral', lines: ['pending in the queue'] };
  }
  if (r.status === 'dead') return { ...base, at: r.finishedAt, title: 'Dead letter', tone: 'bad', lines: ['will not be retried unless replayed'] };
  return { ...base, at: r.finishedAt, title: `Done: ${r.outcome ?? 'finished'}`, tone: TONES[r.outcome ?? ''] ?? 'neutral', lines: [] };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
