/**
 * What crosses between the serving SQLite store's thread (sqlite-thread-entry.ts) and the store
 * the rest of the engine holds (sqlite-thread.ts): calls by method name, answers, and errors as
 * plain fields, since a structured clone keeps an Error's name and message but drops its `code`
 * (SQLITE_FULL, SQLITE_BUSY…), which the intake's 503, /readyz and the start-up check read.
 */
import { payloadOf, toRecord, type RecordRow } from './record-row.ts';
import type { SqliteStore } from './sqlite.ts';
import type { StoredRecord } from './types.ts';

/**
 * Every method of the SQLite store but close, which ends the thread and is answered apart.
 * `ingest` crosses as `ingestEncoded`: each payload is encoded on the sending side from the
 * record intake parsed, and crosses as one short string.
 */
export type StoreMethod = Exclude<keyof SqliteStore, 'close'>;

export interface Call {
  id: number;
  method: StoreMethod | 'close';
  args: unknown[];
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type ThreadMessage =
  | { kind: 'opened' }
  | { kind: 'open-failed'; error: WireError }
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'failed'; id: number; error: WireError };

export function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}), ...(err.stack ? { stack: err.stack } : {}) };
}

/** The thread's error on this side: same name, message and code; the stack of both sides. */
export function fromWire(w: WireError): Error {
  const err = new Error(w.message) as Error & { code?: string };
  err.name = w.name;
  if (w.code !== undefined) err.code = w.code;
  const here = err.stack?.split('\n').slice(1).join('\n') ?? '';
  const there = w.stack?.split('\n').slice(1).join('\n');
  err.stack = `${w.name}: ${w.message}\n${here}${there ? `\n  in the store's thread:\n${there}` : ''}`;
  return err;
}

/**
 * A record whose payload is still as the row keeps it (payload-codec.ts's bytes). Records cross
 * from the thread this way and are decoded on the side that reads them: on 100 bench records the
 * event loop's side costs the same either way (~950 µs to deserialise them as objects; ~300 µs
 * as bytes, ~650 µs to decode), and the thread is spared the decode and the larger clone.
 */
export type RecordAsStored = Omit<StoredRecord, 'raw'> & { raw: RecordRow['raw'] };

/** The thread's row mapping: record-row.ts's, the payload left as stored. */
export function asStored(row: RecordRow): RecordAsStored {
  return { ...toRecord({ ...row, raw: null }), raw: row.raw };
}

/** On the receiving side: the payload decoded as record-row.ts's toRecord does. */
export function decoded(r: RecordAsStored): StoredRecord {
  return { ...r, ...payloadOf(r.raw, r.id) };
}
