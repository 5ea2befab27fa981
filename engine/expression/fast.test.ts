/**
 * The fast path must give exactly JSONata's results: every expression here is evaluated both
 * ways over every fixture record (normalised by the Flipcause adapter) and hand-made edge events,
 * and compared value for value. JSONata marks its sequences with an own `sequence` property and
 * builds objects without a prototype, so both sides are copied into plain values first; keys
 * whose value is undefined are kept by the copy, so a key the fast path should have left out
 * still shows up as a difference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import jsonata from 'jsonata';
import { parse } from 'yaml';
import { fixtureNames, fixtureRecords } from '../../adapters/flipcause/index.ts';
import { normalise } from '../../adapters/flipcause/index.ts';
import type { NormalisedEvent } from '../ports/event.ts';
import { DEFAULT_MAPPING } from './default-mapping.ts';
import { compileExpression } from './compile.ts';
import { FALLBACK, compileFast } from './fast.ts';
import { mappingFunctions } from './functions.ts';
import { cleanMapped } from '../pipeline/mapped.ts';
import { ExpressionErrors } from './errors.ts';

function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = plain((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function slowOf(source: string): jsonata.Expression {
  const e = jsonata(source);
  for (const f of mappingFunctions) e.registerFunction(f.name, f.impl, f.signature);
  return e;
}

function fastOf(source: string): (input: unknown) => unknown {
  const fast = compileFast(jsonata(source).ast());
  assert.ok(fast, `${source} compiles to the fast path`);
  return fast;
}

const fixtureEvents: { label: string; event: NormalisedEvent }[] = fixtureNames().flatMap((name) =>
  fixtureRecords(name).map((raw, i) => ({ label: `${name}[${i}]`, event: normalise(raw) })),
);

/** A normalised record with a full contact (a donation with line2, country and phone). */
function base(): NormalisedEvent {
  const found = fixtureEvents.find((f) => f.event.contact?.address.line2 && f.event.contact.phone);
  assert.ok(found, 'a fixture with an address line 2 and a phone');
  return structuredClone(found.event);
}

function edited(label: string, edit: (ev: NormalisedEvent) => void): { label: string; event: NormalisedEvent } {
  const ev = base();
  edit(ev);
  return { label, event: ev };
}

const edgeEvents = [
  edited('contact null', (ev) => { ev.contact = null; }),
  edited('address fields null', (ev) => {
    ev.contact!.address = { line1: null, line2: null, city: null, state: null, postal_code: null, country: null };
  }),
  edited('phone null', (ev) => { ev.contact!.phone = null; }),
  edited('phone without a country code', (ev) => { ev.contact!.phone = { country_code: null, number: '(510) 555-0100', type: null }; }),
  edited('odd names and blanks', (ev) => {
    Object.assign(ev.contact!, { first_name: "mARY ann o'neil-smith", last_name: '  ', business_name: 'NA' });
    ev.contact!.address.line1 = '  12   Main\tSt  ';
  }),
  edited('fractional amount, refund, no codes', (ev) => {
    Object.assign(ev.event, { amount: 0.1 + 0.2, refund: true, activity_codes: [], campaign: 'Staff Test' });
  }),
  edited('email missing altogether', (ev) => { delete (ev.contact as Partial<NonNullable<NormalisedEvent['contact']>>).email; }),
];

const allEvents = [...fixtureEvents, ...edgeEvents];

interface Tally {
  fast: number;
  fellBack: number;
  errors: number;
}

/** Both ways over every event; JSONata errors must come with FALLBACK, so the wiring lets JSONata raise them. */
async function assertEquivalent(source: string, events = allEvents): Promise<Tally> {
  const slow = slowOf(source);
  const fast = fastOf(source);
  const tally: Tally = { fast: 0, fellBack: 0, errors: 0 };
  for (const { label, event } of events) {
    let expected: unknown;
    let failed = false;
    try {
      expected = await slow.evaluate(event);
    } catch {
      failed = true;
    }
    const got = fast(event);
    if (failed) {
      assert.equal(got, FALLBACK, `${source} on ${label}: JSONata fails, so the fast path must hand over`);
      tally.errors++;
    } else if (got === FALLBACK) {
      tally.fellBack++;
    } else {
      assert.deepStrictEqual(plain(got), plain(expected), `${source} on ${label}`);
      tally.fast++;
    }
  }
  return tally;
}

function flowExpressions(): { flow: string; key: 'when' | 'mapping'; source: string }[] {
  const dir = new URL('../../flows/', import.meta.url);
  const out: { flow: string; key: 'when' | 'mapping'; source: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !existsSync(new URL(`${entry.name}/flow.yaml`, dir))) continue;
    const flow = entry.name;
    const config = parse(readFileSync(new URL(`${flow}/flow.yaml`, dir), 'utf8')) as { when?: string; mapping?: string };
    if (config.when) out.push({ flow, key: 'when', source: config.when });
    if (config.mapping) out.push({ flow, key: 'mapping', source: config.mapping });
  }
  return out;
}

test('the example flows have a `when` and a mapping to check', () => {
  const found = flowExpressions();
  assert.ok(found.filter((e) => e.key === 'when').length >= 2);
  assert.ok(found.filter((e) => e.key === 'mapping').length >= 3);
});

test('default mapping: fast on every record, same result and same cleaned output as JSONata', async () => {
  assert.equal(compileExpression('mapping', DEFAULT_MAPPING).fast, true, 'fast under the default guardrails');
  const tally = await assertEquivalent(DEFAULT_MAPPING);
  assert.deepEqual(tally, { fast: allEvents.length, fellBack: 0, errors: 0 });
  const fast = fastOf(DEFAULT_MAPPING);
  const slow = slowOf(DEFAULT_MAPPING);
  for (const { event } of allEvents) assert.deepStrictEqual(cleanMapped(fast(event)), cleanMapped(await slow.evaluate(event)));
});

for (const { flow, key, source } of flowExpressions()) {
  test(`${flow} ${key}: fast on every record, same result as JSONata`, async () => {
    assert.equal(compileExpression(key, source).fast, true, 'fast under the default guardrails');
    const tally = await assertEquivalent(source);
    assert.deepEqual(tally, { fast: allEvents.length, fellBack: 0, errors: 0 });
    if (key === 'mapping') {
      const fast = fastOf(source);
      const slow = slowOf(source);
      for (const { event } of allEvents) assert.deepStrictEqual(cleanMapped(fast(event)), cleanMapped(await slow.evaluate(event)));
    }
  });
}

/** Small expressions, one construct or rule each. `errors`: JSONata rejects some events (a null where a string is wanted); the fast path must hand exactly those over. */
const table: { source: string; errors?: boolean }[] = [
  // paths: values, nulls, missing steps, a step through null or a string, a final array kept whole
  { source: 'contact.email' },
  { source: 'contact.address.city' },
  { source: 'contact.address.line2' },
  { source: 'contact.phone' },
  { source: 'contact' },
  { source: 'contact.nothing.deeper' },
  { source: 'contact.phone.number' },
  { source: 'contact.email.length' },
  { source: 'event.tag.added' },
  { source: 'event.amount' },
  { source: 'event.activity_codes' },
  { source: '`event`.`campaign`' },
  { source: '$' },
  // literals
  { source: '"text"' },
  { source: '42' },
  { source: '-1.5' },
  { source: 'true' },
  { source: 'false' },
  { source: 'null' },
  // object constructors: undefined values dropped, nulls kept, nesting
  { source: '{"a": contact.email, "b": contact.missing, "c": null, "n": {"x": event.amount, "y": {"z": contact.address.line2}}}' },
  { source: '{}' },
  { source: '{"only": contact.nothing}' },
  // engine functions
  { source: '$titleCase(contact.first_name)' },
  { source: '$titleCase(contact.address.city)' },
  { source: '$titleCase(contact.nothing)' },
  { source: '$blank(contact.business_name)' },
  { source: '$blank(contact.phone)' },
  { source: '$blank(event.activity_codes)' },
  { source: '$phone(contact.phone)' },
  { source: '$phone(contact.phone, "+44")' },
  { source: '$phone(contact.phone.number, "+1")' },
  { source: '$phone(contact.nothing, "+1")' },
  { source: '$phone(contact.phone, contact.nothing)' },
  // a null prefix fails JSONata's signature check (T0410) for the one edge event with a null country code
  { source: '$phone(contact.phone, contact.phone.country_code)', errors: true },
  // built-ins
  { source: '$not(contact.email)' },
  { source: '$not(event.activity_codes)' },
  { source: '$not(event.amount)' },
  { source: '$not(contact.nothing)' },
  { source: '$not(contact)' },
  { source: '$exists(contact.phone)' },
  { source: '$exists(contact.nothing)' },
  { source: '$string(event.amount)' },
  { source: '$string(event.on_list)' },
  { source: '$string(contact.email)' },
  { source: '$string(contact.address.line2)' },
  { source: '$string(1.1)' },
  { source: '$join(event.activity_codes, "+")' },
  { source: '$join(event.activity_codes)' },
  { source: '$join(contact.email, "-")', errors: true },
  { source: '$join([contact.address.line1, contact.address.line2][$ != null], ", ")' },
  { source: '$join([contact.first_name, contact.last_name][$], " ")' },
  { source: '$join([contact.nothing, contact.none], ",")' },
  { source: '$uppercase(contact.address.state)', errors: true },
  { source: '$lowercase(event.campaign)', errors: true },
  { source: '$trim(contact.address.line1)', errors: true },
  { source: '$trim("  a \t b  ")' },
  { source: '$lowercase(contact.nothing)' },
  // comparisons: undefined on either side is false for = and != alike
  { source: 'event.campaign = "Winter Shelter Drive"' },
  { source: 'event.campaign != "Staff Test"' },
  { source: 'event.amount = 50' },
  { source: 'event.amount != 50' },
  { source: 'contact.address.line2 = null' },
  { source: 'contact.nothing = null' },
  { source: 'contact.nothing != null' },
  { source: 'event.on_list = true' },
  // and / or: truthiness of strings, numbers, arrays, objects; short-circuit
  { source: 'event.on_list and event.amount' },
  { source: 'event.refund or contact.email' },
  { source: 'contact.nothing or event.amount' },
  { source: 'event.activity_codes and contact' },
  { source: 'contact.address and contact.phone' },
  // in: a path to an array, an array constructor, a single value
  { source: '"RD" in event.activity_codes' },
  { source: '"D" in event.activity_codes' },
  { source: 'event.campaign in ["Winter Shelter Drive", "Spring Gala 2027"]' },
  { source: 'event.amount in [50, 80]' },
  { source: 'contact.nothing in ["a"]' },
  { source: '"x" in contact.nothing' },
  { source: '"Oakland" in contact.address.city' },
  // array constructors and filters: undefined items dropped, a filter's result unwrapped
  { source: '[contact.email, contact.first_name]' },
  { source: '[contact.nothing]' },
  { source: '[]' },
  { source: '[contact.address.line1, contact.address.line2][$ != null]' },
  { source: '[contact.address][city = "Oakland"]' },
  { source: '[1, 2, 3][$ = 2]' },
  { source: '["a", "", contact.email][$][$ != "a"]' },
  { source: '$not("RD" in event.activity_codes)' },
];

for (const c of table) {
  test(`same result as JSONata: ${c.source}`, async () => {
    const tally = await assertEquivalent(c.source);
    if (c.errors) assert.ok(tally.errors > 0, 'some events are rejected by JSONata');
    else assert.equal(tally.errors, 0, 'no event is rejected by JSONata');
    assert.equal(tally.fellBack, 0, 'no event needed JSONata for a value');
    assert.equal(tally.fast, allEvents.length - tally.errors);
  });
}

const address = (city: string): Record<string, unknown> => ({ line1: null, line2: null, city, state: null, postal_code: null, country: null });

/** Inputs the fast path must hand to JSONata: JSONata's answer is then the result. */
const fallbacks: { why: string; source: string; input: unknown }[] = [
  { why: 'a name step meets an array (JSONata maps over it)', source: 'contact.address.city', input: { contact: { address: [address('Oakland'), address('Alameda')] } } },
  { why: 'the same inside a mapping', source: DEFAULT_MAPPING, input: { contact: [{ email: 'a@example.org' }, { email: 'b@example.org' }] } },
  { why: 'a one-item array in the middle of a path', source: 'contact.address.city', input: { contact: { address: [address('Oakland')] } } },
  { why: 'the input itself is an array', source: 'contact.email', input: [{ contact: { email: 'a@example.org' } }] },
  { why: 'an array item inside an array constructor (flattened)', source: '[event.activity_codes, "x"]', input: { event: { activity_codes: ['D', 'M'] } } },
  { why: 'two objects compared (deep equality)', source: 'contact.phone = contact.mobile', input: { contact: { phone: { number: '1' }, mobile: { number: '1' } } } },
  { why: 'a filter yielding the item, a number, selects by index', source: '[event.amount, 1][$]', input: { event: { amount: 0 } } },
  { why: 'an object flagged as a JSONata function', source: 'contact.email', input: { contact: { _jsonata_function: true, email: 'x' } } },
];

for (const f of fallbacks) {
  test(`falls back to JSONata, same result: ${f.why}`, async () => {
    const fast = compileFast(jsonata(f.source).ast());
    assert.ok(fast);
    assert.equal(fast(f.input), FALLBACK);
    const compiled = compileExpression('mapping', f.source);
    assert.equal(compiled.fast, true);
    assert.deepStrictEqual(plain(await compiled.evaluate(f.input)), plain(await slowOf(f.source).evaluate(f.input)));
  });
}

test('a name step over an array gives JSONata\'s mapped sequence through compileExpression', async () => {
  const compiled = compileExpression('mapping', 'contact.address.city');
  assert.deepStrictEqual(plain(await compiled.evaluate({ contact: { address: [address('Oakland'), address('Alameda')] } })), ['Oakland', 'Alameda']);
});

test('an input the fast path cannot take still fails as ENGINE_ERR_EXPRESSION, permanent, with JSONata\'s code', async () => {
  const lower = compileExpression('mapping', '{"n": $lowercase(contact.last_name)}');
  assert.equal(lower.fast, true);
  assert.deepStrictEqual(plain(await lower.evaluate({ contact: { last_name: 'DOE' } })), { n: 'doe' });
  await assert.rejects(lower.evaluate({ contact: { last_name: null } }), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && err.kind === 'permanent' && /T0410/.test(err.message));
  const join = compileExpression('mapping', '$join([contact.first_name, contact.last_name], " ")');
  await assert.rejects(join.evaluate({ contact: { first_name: null, last_name: 'Doe' } }), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && /T0412/.test(err.message));
  const inf = compileExpression('when', 'event.amount and true');
  await assert.rejects(inf.evaluate({ event: { amount: Infinity } }), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && /D1001/.test(err.message));
});

test('an engine function that throws fails as it does in JSONata', async () => {
  const compiled = compileExpression('mapping', '$phone(contact.phone)');
  assert.equal(compiled.fast, true);
  // String() of this number throws inside phone(); JSONata reports it, the fast path hands over.
  const bad = { contact: { phone: { number: { toString: () => { throw new Error('unprintable'); } } } } };
  await assert.rejects(compiled.evaluate(bad), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err));
});

/** Outside the subset: compileFast refuses them and the expression runs in JSONata only. */
const unsupported = [
  '$number(event.amount)',
  'event.amount > 5',
  'event.amount + 1',
  '-event.amount',
  'contact.first_name & " " & contact.last_name',
  'event.on_list ? "yes" : "no"',
  'contact.address[city = "Oakland"]',
  'event.activity_codes[0]',
  'event.activity_codes[]',
  '$.contact.email',
  '$$.contact.email',
  'contact.*',
  '**.city',
  'contact.{"e": email}',
  'contact{email: first_name}',
  '{contact.email: 1}',
  '{"a": 1, "a": 2}',
  '{"__proto__": 1}',
  '{"_jsonata_function": true}',
  '[[1, 2], 3]',
  '[1, 2][0]',
  '$titleCase()',
  '$exists()',
  '$not(1, 2)',
  '$lowercase(contact.email, "x")',
  '$phone(contact.phone, "+1", "x")',
  '$f := 1',
  '($x := contact.email; $x)',
  '$x',
  'function($v) { $v }',
  '$map(event.activity_codes, $lowercase)',
  'event.campaign ~> $lowercase()',
  '/abc/',
  '$sum(event.amount)',
];

for (const source of unsupported) {
  test(`outside the subset, compileFast returns null: ${source}`, () => {
    assert.equal(compileFast(jsonata(source).ast()), null);
    assert.equal(compileExpression('x', source).fast, false);
  });
}

test('an expression JSONata could stop for depth stays with JSONata, keeping the guardrail', () => {
  const ast = jsonata('{"a": {"b": {"c": $titleCase(contact.first_name)}}}').ast();
  assert.ok(compileFast(ast, 200));
  assert.equal(compileFast(ast, 4), null);
  assert.equal(compileExpression('mapping', DEFAULT_MAPPING, { timeoutMs: 250, maxDepth: 3 }).fast, false);
});

test('the fast path returns plain values cleanMapped accepts, nothing shared between calls', () => {
  const fast = fastOf(DEFAULT_MAPPING);
  const ev = base();
  const a = fast(ev) as Record<string, unknown>;
  const b = fast(ev) as Record<string, unknown>;
  assert.notEqual(a, b);
  assert.equal(Object.getPrototypeOf(a), Object.prototype);
  assert.deepEqual(cleanMapped(a), cleanMapped(b));
  assert.equal(cleanMapped(a).email, ev.contact!.email);
});
