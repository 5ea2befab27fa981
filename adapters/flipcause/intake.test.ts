import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../../engine/errors.ts';
import { fixtureBytes, fixtureNames, fixtureRecords } from './fixtures.ts';
import { DEFAULT_LIMITS, parseDelivery } from './intake.ts';

const ORG = '638';
const body = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const record = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  webhook_record_id: '1',
  webhook_trigger_type: 'new_activity',
  AD_contact_id: 'Jane Doe (CID638-1000015)',
  ...over,
});

describe('parseDelivery: good deliveries', () => {
  it('splits an array into records with trigger, record id and dedupe key', () => {
    const records = parseDelivery(fixtureBytes('donation-with-opt-in'), { orgId: ORG });
    assert.deepEqual(
      records.map((r) => [r.trigger, r.recordId, r.dedupeKey]),
      [
        ['new_activity', '40211', 'new_activity:40211'],
        ['new_activity', '40212', 'new_activity:40212'],
        // new_transaction carries its record id as `id`.
        ['new_transaction', '90544', 'new_transaction:90544'],
      ],
    );
    assert.deepEqual(records[2]!.raw, fixtureRecords('donation-with-opt-in')[2]);
  });

  it('accepts a single object as a one-record delivery', () => {
    const records = parseDelivery(body(fixtureRecords('refund')[0]), { orgId: ORG });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.dedupeKey, 'new_transaction:90602');
  });

  it('accepts every fixture delivery, and several deliveries concatenated into one POST', () => {
    const all = fixtureNames().flatMap((n) => fixtureRecords(n));
    const records = parseDelivery(body(all), { orgId: ORG });
    assert.equal(records.length, all.length);
    assert.ok(records.length >= 15);
    assert.deepEqual(
      new Set(records.map((r) => r.trigger)),
      new Set(['new_activity', 'new_transaction', 'update_contact', 'new_contact', 'merchant_account_credit', 'new_pledge']),
    );
  });

  it('prefers webhook_record_id over id, and numbers become strings', () => {
    const [a, b] = parseDelivery(body([record({ webhook_record_id: 77, id: '5' }), record({ webhook_record_id: 'NA', id: 9 })]));
    assert.equal(a!.recordId, '77');
    assert.equal(b!.recordId, '9');
  });

  it('gives a record without any id a stable content id, so a redelivery still dedupes', () => {
    const r = { webhook_trigger_type: 'merchant_account_payment', user_id: '638', amount: '10.00' };
    const [first] = parseDelivery(body(r));
    const [again] = parseDelivery(body([r]));
    assert.match(first!.recordId, /^sha256:[0-9a-f]{32}$/);
    assert.equal(first!.dedupeKey, again!.dedupeKey);
    const [other] = parseDelivery(body({ ...r, amount: '11.00' }));
    assert.notEqual(other!.recordId, first!.recordId);
  });

  it('keeps records of unknown or missing trigger types', () => {
    const records = parseDelivery(body([record({ webhook_trigger_type: 'new_pledge' }), { webhook_record_id: '3' }]));
    assert.deepEqual(records.map((r) => r.dedupeKey), ['new_pledge:1', 'unknown:3']);
  });

  it('accepts a UTF-8 byte-order mark and surrounding whitespace', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n '), body(record()), Buffer.from('\n')]);
    assert.equal(parseDelivery(bytes).length, 1);
  });

  it('reads an account number given as a JSON number, and ignores an empty or "NA" one', () => {
    const records = parseDelivery(body([record({ user_id: 638 }), record({ webhook_record_id: '2', user_id: 'NA' }), record({ webhook_record_id: '3', user_id: '' })]), { orgId: ORG });
    assert.equal(records.length, 3);
    assert.throws(() => parseDelivery(body([record({ user_id: 701 })]), { orgId: ORG }), /account 701/);
  });

  it('accepts text outside the Basic Multilingual Plane (surrogate pairs), escaped or raw', () => {
    const escaped = Buffer.from('[{"webhook_record_id": "1", "PD_first_name": "Ana \\ud83d\\ude00"}]');
    const raw = body([record({ PD_first_name: 'Ana 😀', '𝒩ame': '\u{1F600}' })]);
    assert.equal(parseDelivery(escaped)[0]!.raw['PD_first_name'], 'Ana 😀');
    // An escaped backslash before "udd…" is text, not an escape.
    assert.equal(parseDelivery(Buffer.from('[{"webhook_record_id": "1", "a": "C:\\\\udder"}]'))[0]!.raw['a'], 'C:\\udder');
    assert.equal(parseDelivery(raw).length, 1);
  });

  it('skips the org check when no org is given (backfill of exports)', () => {
    assert.equal(parseDelivery(body(record({ user_id: '999' }))).length, 1);
  });

  it('accepts a body exactly at the size limit and exactly at the record limit', () => {
    const b = body([record(), record({ webhook_record_id: '2' })]);
    assert.equal(parseDelivery(b, { limits: { maxBytes: b.byteLength, maxRecords: 2 } }).length, 2);
  });
});

interface BadCase {
  name: string;
  body: Buffer;
  code: string;
  status: number;
  /** Fragments the message must contain (it must say what was wrong). */
  says: string[];
  limits?: Partial<typeof DEFAULT_LIMITS>;
}

const deep = (levels: number): unknown => {
  let v: unknown = 'x';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

const BAD: BadCase[] = [
  { name: 'empty body', body: Buffer.alloc(0), code: 'FC_ERR_BODY_EMPTY', status: 400, says: ['empty'] },
  { name: 'whitespace-only body', body: Buffer.from(' \r\n\t'), code: 'FC_ERR_BODY_EMPTY', status: 400, says: ['empty'] },
  {
    name: 'body over the size limit',
    body: body([record()]),
    limits: { maxBytes: 10 },
    code: 'FC_ERR_BODY_TOO_LARGE',
    status: 413,
    says: ['the limit is 10 bytes'],
  },
  { name: 'not UTF-8', body: Buffer.from([0x5b, 0xff, 0xfe, 0x5d]), code: 'FC_ERR_BODY_NOT_UTF8', status: 400, says: ['UTF-8'] },
  { name: 'not JSON', body: Buffer.from('email=jane%40example.org'), code: 'FC_ERR_BODY_NOT_JSON', status: 400, says: ['not valid JSON'] },
  {
    name: 'truncated JSON',
    body: Buffer.from('[{"webhook_record_id": "1", "email": "jane.doe@exam'),
    code: 'FC_ERR_BODY_NOT_JSON',
    status: 400,
    says: ['not valid JSON'],
  },
  { name: 'a JSON string', body: body('hello'), code: 'FC_ERR_BODY_NOT_RECORDS', status: 400, says: ['not a string'] },
  { name: 'a JSON number', body: Buffer.from('42'), code: 'FC_ERR_BODY_NOT_RECORDS', status: 400, says: ['not a number'] },
  { name: 'JSON null', body: Buffer.from('null'), code: 'FC_ERR_BODY_NOT_RECORDS', status: 400, says: ['not null'] },
  { name: 'an empty array', body: Buffer.from('[]'), code: 'FC_ERR_NO_RECORDS', status: 400, says: ['no records'] },
  {
    name: 'too many records',
    body: body([record(), record(), record()]),
    limits: { maxRecords: 2 },
    code: 'FC_ERR_TOO_MANY_RECORDS',
    status: 413,
    says: ['3 records', 'limit is 2'],
  },
  {
    name: 'a record that is a string',
    body: body([record(), 'oops']),
    code: 'FC_ERR_RECORD_NOT_OBJECT',
    status: 400,
    says: ['record 1', 'a string'],
  },
  {
    name: 'a record that is an array',
    body: body([[record()]]),
    code: 'FC_ERR_RECORD_NOT_OBJECT',
    status: 400,
    says: ['record 0', 'an array'],
  },
  {
    name: 'a record that is null',
    body: body([record(), record(), null]),
    code: 'FC_ERR_RECORD_NOT_OBJECT',
    status: 400,
    says: ['record 2', 'null'],
  },
  {
    name: '__proto__ key',
    body: Buffer.from('[{"webhook_record_id":"1"},{"webhook_record_id":"2","__proto__":{"admin":true}}]'),
    code: 'FC_ERR_RECORD_FORBIDDEN_KEY',
    status: 400,
    says: ['record 1', '"__proto__"'],
  },
  {
    name: 'constructor key',
    body: body([record({ constructor: { prototype: { polluted: 'yes' } } })]),
    code: 'FC_ERR_RECORD_FORBIDDEN_KEY',
    status: 400,
    says: ['record 0', '"constructor"'],
  },
  {
    name: 'prototype key nested in a field',
    body: body([record({ CF_answers: [{ ok: '1' }, { prototype: 'x' }] })]),
    code: 'FC_ERR_RECORD_FORBIDDEN_KEY',
    status: 400,
    says: ['record 0', '"prototype"', 'CF_answers[1].prototype'],
  },
  {
    name: 'a record nested too deeply',
    body: body([record({ CF_blob: deep(50) })]),
    code: 'FC_ERR_RECORD_TOO_DEEP',
    status: 400,
    says: ['record 0', 'deeper than'],
  },
  {
    // A recursive walk would overflow the stack here; the intake walks iteratively.
    name: 'a record nested 100 000 levels deep',
    body: Buffer.from('[{"CF_blob":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}]'),
    code: 'FC_ERR_RECORD_TOO_DEEP',
    status: 400,
    says: ['record 0', 'deeper than 8 levels'],
  },
  {
    name: 'a trigger type that is not a string',
    body: body([record({ webhook_trigger_type: 7 })]),
    code: 'FC_ERR_RECORD_FIELD_INVALID',
    status: 400,
    says: ['record 0', 'webhook_trigger_type', 'a number'],
  },
  {
    name: 'a record id that is an object',
    body: body([record(), record({ webhook_record_id: { n: 1 } })]),
    code: 'FC_ERR_RECORD_FIELD_INVALID',
    status: 400,
    says: ['record 1', 'webhook_record_id', 'an object'],
  },
  {
    name: 'an id that is a fraction',
    body: body([{ id: 1.5, webhook_trigger_type: 'new_transaction' }]),
    code: 'FC_ERR_RECORD_FIELD_INVALID',
    status: 400,
    says: ['record 0', 'id'],
  },
  {
    name: 'a record of another org (user_id)',
    body: body([record(), { ...fixtureRecords('refund')[0], user_id: '701' }]),
    code: 'FC_ERR_RECORD_WRONG_ORG',
    status: 403,
    says: ['record 1', 'account 701', 'user_id', "account 638"],
  },
  {
    name: 'a record of another org (only the CID says so)',
    body: body([record({ AD_contact_id: 'Jane Doe (CID701-1000015)' })]),
    code: 'FC_ERR_RECORD_WRONG_ORG',
    status: 403,
    says: ['record 0', 'account 701', 'AD_contact_id'],
  },
  {
    name: 'a record whose user_id and contact id disagree',
    body: body([{ ...fixtureRecords('refund')[0], contact_id: 'CID702-1' }]),
    code: 'FC_ERR_RECORD_WRONG_ORG',
    status: 403,
    says: ['record 0', 'account 702', 'contact_id'],
  },
  // Issue 12, case 1 (at intake): text that is not well-formed Unicode is refused, naming record and field.
  {
    name: 'an email holding an unpaired surrogate',
    body: body([record(), record({ webhook_record_id: '2', PD_email: '\ud800@example.org' })]),
    code: 'FC_ERR_RECORD_NOT_UNICODE',
    status: 400,
    says: ['record 1: PD_email is not well-formed Unicode', 'character 0 of its value'],
  },
  {
    name: 'a trailing high surrogate (an emoji cut in half) in a nested value',
    body: body([record({ CF_answers: [{ q: 'ok', a: 'Thanks \ud83d' }] })]),
    code: 'FC_ERR_RECORD_NOT_UNICODE',
    status: 400,
    says: ['record 0: CF_answers[0].a', 'character 7 of its value'],
  },
  {
    name: 'a low surrogate alone, in a field name',
    body: Buffer.from('[{"webhook_record_id": "1", "x\\udc00y": "v"}]'),
    code: 'FC_ERR_RECORD_NOT_UNICODE',
    status: 400,
    says: ['record 0: x\ufffdy', 'character 1 of its name'],
  },
  {
    name: 'a surrogate encoded in the UTF-8 bytes themselves',
    body: Buffer.concat([Buffer.from('[{"webhook_record_id": "1", "PD_email": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('@example.org"}]')]),
    code: 'FC_ERR_BODY_NOT_UTF8',
    status: 400,
    says: ['UTF-8'],
  },
  {
    name: 'an escaped lone surrogate in an upper-case escape, after an escaped backslash elsewhere',
    body: Buffer.from('[{"webhook_record_id": "1", "a": "C:\\\\udder", "b": "\\uDBFF!"}]'),
    code: 'FC_ERR_RECORD_NOT_UNICODE',
    status: 400,
    says: ['record 0: b is not well-formed Unicode'],
  },
  // Issue 12, case 8: a value the org check cannot read is refused, not skipped.
  ...([
    ['user_id', ['999'], 'an array'],
    ['user_id', { id: '999' }, 'an object'],
    ['user_id', ['638'], 'an array'],
    ['user_id', true, 'a boolean'],
    ['user_id', 'acct-999', 'a string holding other characters'],
    ['contact_id', ['CID999-1'], 'an array'],
    ['AD_contact_id', { name: 'Jane Doe (CID999-1)' }, 'an object'],
  ] as const).map(([field, value, type]): BadCase => ({
    name: `case 8: ${field} as ${JSON.stringify(value)}`,
    body: body([record(), { ...fixtureRecords('refund')[0], [field]: value }]),
    code: 'FC_ERR_RECORD_FIELD_INVALID',
    status: 400,
    says: ['record 1', field, type],
  })),
];

describe('parseDelivery: bad deliveries are refused whole, with their own code', () => {
  for (const c of BAD) {
    it(c.name, () => {
      assert.throws(
        () => parseDelivery(c.body, { orgId: ORG, ...(c.limits ? { limits: c.limits } : {}) }),
        (err: unknown) => {
          assert.ok(isEngineError(err), `expected an EngineError, got ${String(err)}`);
          assert.equal(err.code, c.code);
          assert.equal(err.status, c.status);
          assert.equal(err.kind, 'input');
          for (const s of c.says) assert.ok(err.message.includes(s), `message "${err.message}" should mention ${s}`);
          return true;
        },
      );
    });
  }

  it('never quotes the body in a JSON error (bodies carry PII)', () => {
    try {
      parseDelivery(Buffer.from('[{"email": "jane.doe@example.org", oops}]'));
      assert.fail('should throw');
    } catch (err) {
      assert.ok(isEngineError(err));
      assert.doesNotMatch(err.message, /jane/);
      assert.doesNotMatch(String((err.cause as Error | undefined)?.message), /jane/);
      assert.match(err.message, /byte offset \d+/);
    }
  });

  it('never puts field values of a wrong-org record into the message', () => {
    const r = fixtureRecords('refund')[0]!;
    try {
      parseDelivery(body([{ ...r, user_id: '701' }]), { orgId: ORG });
      assert.fail('should throw');
    } catch (err) {
      assert.ok(isEngineError(err));
      assert.doesNotMatch(err.message, /jane|Doe|Harbor/i);
    }
  });

  it('leaves Object.prototype untouched by a __proto__ delivery', () => {
    assert.throws(() => parseDelivery(Buffer.from('{"__proto__": {"polluted": "yes"}}')));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
