import { PayloadCodecError, readPayload } from './payload-codec.ts';
import type { Outcome, RecordStatus, StoredRecord } from './types.ts';

/**
 * A `records` row as both stores' queries return it. `raw`: SQLite's bytes of payload-codec.ts,
 * PostgreSQL's JSON text.
 */
export interface RecordRow {
  id: number; flow: string; dedupe_key: string; trigger: string; raw: Uint8Array | string | null; received_at: number;
  subject: string | null; txn: string | null; status: RecordStatus; available_at: number; due_at: number | null; attempts: number;
  outcome: Outcome | null; reason: string | null; error_code: string | null; finished_at: number | null;
}

/** The row as the Store interface gives it: camelCase, the payload decoded and parsed. */
export function toRecord(r: RecordRow): StoredRecord {
  return {
    id: r.id, flow: r.flow, dedupeKey: r.dedupe_key, trigger: r.trigger,
    ...payloadOf(r.raw, r.id),
    receivedAt: r.received_at, subject: r.subject, txn: r.txn, status: r.status, availableAt: r.available_at,
    attempts: r.attempts, outcome: r.outcome, reason: r.reason, errorCode: r.error_code, finishedAt: r.finished_at,
  };
}

/** A stored payload decoded, or why it cannot be: the one place both stores' readers decode it. */
export function payloadOf(stored: Uint8Array | string | null, id: number): Pick<StoredRecord, 'raw' | 'unreadable'> {
  if (stored === null) return { raw: null };
  try {
    return { raw: readPayload(stored, id) };
  } catch (err) {
    if (err instanceof PayloadCodecError) return { raw: null, unreadable: err.message };
    throw err;
  }
}
