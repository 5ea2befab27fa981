import { FIELDS_V1 } from './payload-fields.ts';
import type { NewRecord } from './types.ts';

/**
 * How the SQLite store keeps a record's raw payload: one byte naming the codec, then UTF-8 text.
 *
 * - Codec 1, a field table, for a flat object of strings (every Flipcause record): per field a
 *   code for a known field name (payload-fields.ts; an unknown name as text behind code 0), the
 *   value's length, the value. A ~900-byte record keeps ~320 bytes: most of its JSON is field
 *   names, quotes and separators every record repeats.
 * - Codec 0, the JSON text itself, for anything else (nested values, numbers, a string too long
 *   for one length unit or not well-formed UTF-16).
 *
 * Not deflate: deflate with a preset dictionary of the same names kept ~220 bytes, but cost ~35 µs
 * of CPU to write a record and ~20 µs to read it in isolation, and about a fifth of intake's busy
 * time under load (zlib sets up a fresh stream, ~256 KB of state, per call). The field table is
 * plain string work and reading it back builds the object without JSON.parse.
 *
 * The payload stays opaque to SQL (the store only ever asks `raw IS NULL`). A better table or
 * another algorithm is a new codec number added here; the old ones stay readable, so stored
 * records never need rewriting.
 */

/** The codec tried first for new payloads; codec 0 takes what it cannot. */
export const PAYLOAD_CODEC = 1;

const TEXT = 0;
const FIELD_TABLE = 1;
/** A length or an unknown name's length is one UTF-16 unit, below the surrogates so the text stays well-formed. */
const MAX_LENGTH = 0xd7ff;
/** A lone surrogate cannot round-trip through UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Built once at load. */
const CODE_OF: ReadonlyMap<string, string> = new Map(FIELDS_V1.map((name, i) => [name, String.fromCharCode(i + 1)]));
const UNKNOWN_NAME = '\0';

/** A stored payload that cannot be read back. Names the record and what is wrong, never its content. */
export class PayloadCodecError extends Error {
  readonly recordId: number;
  constructor(recordId: number, problem: string) {
    super(`record ${recordId}: its stored payload ${problem}`);
    this.name = 'PayloadCodecError';
    this.recordId = recordId;
  }
}

/**
 * The record as the store keeps it, before its UTF-8 bytes: the codec's character, then the field
 * table or the JSON text. Built from the record intake already parsed (no second JSON.parse), on
 * the event loop's side, so the serving store's thread is sent one short string per record.
 */
export function payloadText(record: unknown): string {
  return withCodec(fieldTable(record), () => JSON.stringify(record));
}

/** A new record with its payload already as payloadText: what the serving store's thread is sent. */
export type EncodedNewRecord = Omit<NewRecord, 'raw'> & { raw: string };

export function encodedRecord(r: NewRecord): EncodedNewRecord {
  return { ...r, raw: payloadText(r.raw) };
}

/** The record's bytes as the store keeps them. */
export function encodePayload(record: unknown): Buffer {
  return Buffer.from(payloadText(record), 'utf8');
}

/**
 * JSON text as stored before the codec (migration 6): the same field table when it holds one,
 * otherwise the text exactly as it was kept, even text that is not JSON (reading it back says so).
 */
export function encodeStoredJson(json: string): Buffer {
  let table: string | null = null;
  try {
    table = fieldTable(JSON.parse(json));
  } catch {
    // kept as text
  }
  return Buffer.from(withCodec(table, () => json), 'utf8');
}

/** The field table under its codec, or (none) the JSON text under codec 0. */
function withCodec(table: string | null, json: () => string): string {
  return table === null ? String.fromCharCode(TEXT) + json() : String.fromCharCode(FIELD_TABLE) + table;
}

/**
 * A stored payload back as the record received: bytes written by encodePayload, or JSON text as
 * such (the PostgreSQL store keeps the text; it compresses large values itself).
 */
export function readPayload(stored: string | Uint8Array, recordId: number): Record<string, unknown> {
  if (typeof stored === 'string') return parseJson(stored, recordId);
  const codec = stored[0];
  if (codec === undefined) throw new PayloadCodecError(recordId, 'is empty (no codec byte)');
  const text = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8', 1);
  if (codec === TEXT) return parseJson(text, recordId);
  if (codec === FIELD_TABLE) return readFieldTable(text, recordId);
  throw new PayloadCodecError(
    recordId,
    `names codec ${codec}, which this engine does not know (it reads ${TEXT} and ${FIELD_TABLE}): written by a newer engine, or damaged`,
  );
}

function fieldTable(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  let table = '';
  for (const name of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value.length > MAX_LENGTH || LONE_SURROGATE.test(value)) return null;
    const code = CODE_OF.get(name);
    if (code !== undefined) table += code;
    else if (name.length > MAX_LENGTH || LONE_SURROGATE.test(name) || name === '__proto__') return null;
    else table += UNKNOWN_NAME + String.fromCharCode(name.length) + name;
    table += String.fromCharCode(value.length) + value;
  }
  return table;
}

function readFieldTable(table: string, recordId: number): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const damaged = (at: number): PayloadCodecError =>
    new PayloadCodecError(recordId, `is damaged: codec ${FIELD_TABLE}'s field table breaks off at character ${at} of ${table.length}`);
  let at = 0;
  while (at < table.length) {
    const code = table.charCodeAt(at++);
    let name = FIELDS_V1[code - 1];
    if (code === 0) {
      const length = table.charCodeAt(at++);
      // Negated so a length read past the end (NaN) fails too.
      if (!(at + length <= table.length)) throw damaged(at);
      name = table.slice(at, (at += length));
    }
    const length = table.charCodeAt(at++);
    if (name === undefined || name === '__proto__' || !(at + length <= table.length)) throw damaged(at);
    record[name] = table.slice(at, (at += length));
  }
  return record;
}

function parseJson(text: string, recordId: number): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // JSON.parse's own message quotes the text around the fault: donor data, not said here.
    throw new PayloadCodecError(recordId, `is not JSON (${Buffer.byteLength(text)} bytes of text)`);
  }
}
