/**
 * The stored payload's codec: every record reads back as received, what it cannot read it names
 * by record and fault (never by content), and codec 1's field names never change under stored data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fixtureNames, fixtureRecords } from '../../adapters/flipcause/index.ts';
import { encodePayload, encodeStoredJson, PAYLOAD_CODEC, PayloadCodecError, readPayload } from './payload-codec.ts';
import { FIELDS_V1 } from './payload-fields.ts';

const roundTrip = (json: string, id = 1): unknown => readPayload(encodePayload(JSON.parse(json)), id);

test('every sample Flipcause record is kept as a field table and reads back as received, in under 40% of its text', () => {
  let text = 0;
  let stored = 0;
  for (const name of fixtureNames()) {
    for (const record of fixtureRecords(name)) {
      const json = JSON.stringify(record);
      const bytes = encodePayload(record);
      assert.equal(bytes[0], PAYLOAD_CODEC, name);
      // The text as received, not merely an equal object: fields keep their order.
      assert.equal(JSON.stringify(readPayload(bytes, 1)), json, name);
      text += Buffer.byteLength(json);
      stored += bytes.length;
    }
  }
  assert.ok(stored / text < 0.4, `stored ${stored} of ${text} bytes`);
});

test('unicode, escapes, field names the table does not know and numeric names read back exactly, as a field table', () => {
  const record = {
    PD_first_name: 'Lucía', PD_last_name: 'Ñúñez-Øster', AD_campaign_title: '冬のシェルター 🏠 Drive',
    support_message: 'line\nbreak\t"quoted" \\ back\u2028sep\u0000nul 𝄞', CF_favourite_colour_été: 'vert', '12': 'numeric name', empty: '',
  };
  const json = JSON.stringify(record);
  assert.equal(encodePayload(record)[0], PAYLOAD_CODEC);
  assert.deepEqual(roundTrip(json), record);
  assert.equal(JSON.stringify(roundTrip(json)), json);
});

test('what a field table cannot hold is kept as its JSON text and reads back the same', () => {
  const cases: unknown[] = [
    { nested: { list: [1, 'two', null, true, 2.5] }, PD_email: 'a@example.org' },
    { webhook_record_id: 7 },
    { PD_first_name: 'lone \ud800 surrogate' },
    { ['__proto__']: 'x' }, // an own field of that name, as JSON.parse makes it
    { support_message: 'x'.repeat(0xd800) },
    [{ PD_email: 'a@example.org' }],
    {},
  ];
  for (const value of cases) {
    const json = JSON.stringify(value);
    const stored = encodePayload(value);
    assert.equal(JSON.stringify(readPayload(stored, 1)), json, json.slice(0, 60));
    assert.equal(stored[0], json === '{}' ? PAYLOAD_CODEC : 0, json.slice(0, 60));
  }
  const proto = readPayload(encodePayload(JSON.parse('{"__proto__":"x"}')), 1);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(Object.keys(proto), ['__proto__']);
});

test('a large payload reads back whole, as a field table or as text', () => {
  // Two megabytes of values that do not repeat (a digest chain).
  let h = 'seed';
  const flat: Record<string, string> = {};
  for (let i = 0; i < 30_000; i++) flat[`CF_field_${i}`] = (h = createHash('sha256').update(h).digest('hex'));
  flat.note = 'é'.repeat(50_000);
  const json = JSON.stringify(flat);
  assert.ok(json.length > 2_000_000);
  assert.equal(encodePayload(flat)[0], PAYLOAD_CODEC);
  assert.deepEqual(roundTrip(json), flat);
  const nested = { webhook_trigger_type: 'new_activity', values: Object.values(flat) };
  assert.deepEqual(roundTrip(JSON.stringify(nested)), nested);
});

test('a payload of a codec this engine does not know is refused naming the record and the codec', () => {
  const stored = encodePayload({ a: '1' });
  stored[0] = 9;
  assert.throws(() => readPayload(stored, 4711), (err: unknown) =>
    err instanceof PayloadCodecError && err.recordId === 4711 && /^record 4711: .*codec 9, which this engine does not know/.test(err.message));
  // JSON text stored as bytes without a codec byte starts with "{": codec 123, refused the same way.
  assert.throws(() => readPayload(Buffer.from('{"a":"1"}'), 12), /record 12: .*codec 123/);
  assert.throws(() => readPayload(Buffer.alloc(0), 13), /record 13: its stored payload is empty/);
});

test('a damaged payload is refused naming the record, and the error carries none of its content', () => {
  const email = 'jane.doe@example.org';
  const json = JSON.stringify({ PD_email: email, PD_first_name: 'Jane', PD_address: '1200 Harbor Way', CF_note: 'Harbor' });
  const full = encodePayload(JSON.parse(json));
  // Cut anywhere inside a field: the table breaks off.
  for (const cut of [3, 10, full.length - 1]) {
    assert.throws(() => readPayload(full.subarray(0, cut), 77), (err: unknown) => {
      assert.ok(err instanceof PayloadCodecError && err.recordId === 77, String(err));
      assert.match(err.message, /^record 77: its stored payload is damaged: codec 1's field table breaks off/);
      for (const pii of [email, 'Jane', 'Harbor']) assert.ok(!err.message.includes(pii), err.message);
      return true;
    });
  }
  // A field code past the table's end.
  assert.throws(() => readPayload(Buffer.from('\x01\x7f\x01x'), 78), /record 78: .*damaged/);
  // JSON text under codec 0 that is not JSON: JSON.parse's own message would quote the email.
  for (const stored of [Buffer.concat([Buffer.from([0]), Buffer.from(`${json.slice(0, -1)},`)]), `${json.slice(0, -1)},`]) {
    assert.throws(() => readPayload(stored, 79), (err: unknown) =>
      err instanceof PayloadCodecError && /^record 79: its stored payload is not JSON/.test(err.message) && !err.message.includes(email));
  }
});

test('JSON text as stored before the codec is kept as the same field table, or as it was when it is not JSON', () => {
  const json = JSON.stringify(fixtureRecords(fixtureNames()[0]!)[0]);
  assert.deepEqual(encodeStoredJson(json), encodePayload(JSON.parse(json)));
  // Spacing and number forms a record's own serialisation would change are kept as they were.
  for (const text of ['{ "a": [1.50, 2e3] }', '{"a":"1",', 'not json']) {
    const stored = encodeStoredJson(text);
    assert.equal(stored[0], 0, text);
    assert.equal(stored.toString('utf8', 1), text);
  }
});

test('JSON text (the PostgreSQL store\'s column) reads as it is', () => {
  assert.deepEqual(readPayload('{"PD_email":"a@example.org","n":[1]}', 5), { PD_email: 'a@example.org', n: [1] });
});

test("codec 1's field names are frozen: payloads already stored need this exact list", () => {
  assert.equal(createHash('sha256').update(FIELDS_V1.join('\n'), 'utf8').digest('hex'), '09f8a46f967da4804fe9e34e5d8b34457531112dd3bb962e614c2fb37a39fe23');
  assert.ok(FIELDS_V1.length < 128, 'every code one UTF-8 byte');
});
