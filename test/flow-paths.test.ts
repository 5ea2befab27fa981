/**
 * `engine validate` type-checks every path in `when` and `mapping` against the normalised event's
 * schema (and `raw` against the trigger payload schemas): each mistake below used to pass with 0
 * errors and silently drop records or fields. Each case gives the expression, the exact
 * diagnostics (line:col severity code) and what the message must say.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import jsonata from 'jsonata';
import { flowYaml } from '../bench/common.ts';
import { loadFlowDir, type Diagnostic } from '../engine/flow/index.ts';
import { eventShape } from '../engine/flow/event-shape.ts';
import { checkPaths } from '../engine/flow/path-check.ts';
import { DEFAULT_MAPPING } from '../engine/expression/default-mapping.ts';

const dir = mkdtempSync(join(tmpdir(), 'flow-paths-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A valid flow with the given `when`/`mapping` lines from line 8 on. */
function flow(body: string, triggers = '[new_activity, new_transaction, new_contact, update_contact]'): string {
  return `flow: paths
source:
  flipcause:
    org_id: "638"
    signing_secret: \${env:S}
    since: 2026-11-01T00:00:00Z
    triggers: ${triggers}
${body}
policy:
  mode: all_contacts
  new_status: active
  groups: { new: [A], unconfirmed: [A] }
destination:
  mailerlite:
    api_key: \${env:K}
`;
}

let n = 0;
function validate(yaml: string): Diagnostic[] {
  const file = join(dir, `case-${(n += 1)}.flow.yaml`);
  writeFileSync(file, yaml);
  return loadFlowDir([file]).diagnostics;
}

const brief = (d: Diagnostic) => `${d.line}:${d.col} ${d.severity} ${d.code}`;

interface Case {
  name: string;
  yaml: string;
  expect: string[];
  /** Fragments each diagnostic's message must hold, in order. */
  says?: RegExp[];
}

const cases: Case[] = [
  {
    name: 'a misspelt event field in `when` (the refund filter that let every refund through)',
    yaml: flow('when: $not("RD" in event.activty_codes)'),
    expect: ['8:26 error FLOW_ERR_PATH_UNKNOWN'],
    says: [/when reads event\.activty_codes, which never exists: event has no field 'activty_codes' \(did you mean 'activity_codes'\?\)/],
  },
  {
    name: 'a misspelt contact field in a mapping block',
    yaml: flow('mapping: |\n  {\n    "email": contact.email,\n    "fields": { "city": contact.adress.city }\n  }'),
    expect: ['11:33 error FLOW_ERR_PATH_UNKNOWN'],
    says: [/mapping reads contact\.adress, .*contact has no field 'adress' \(did you mean 'address'\?\)/],
  },
  {
    name: 'a misspelt top-level name',
    yaml: flow('mapping: \'{ "email": contacts.email }\''),
    expect: ['8:22 error FLOW_ERR_PATH_UNKNOWN'],
    says: [/the event has no field 'contacts' \(did you mean 'contact'\?\)/],
  },
  {
    name: 'two letters swapped, inside a filter, and a quoted step',
    yaml: flow('mapping: |\n  {\n    "email": contact.emial,\n    "fields": { "z": contact.address[city = "Oakland"].postl_code, "n": $$.contact.`frist_name` }\n  }'),
    expect: ['10:22 error FLOW_ERR_PATH_UNKNOWN', '11:56 error FLOW_ERR_PATH_UNKNOWN', '11:84 error FLOW_ERR_PATH_UNKNOWN'],
    says: [/'emial' \(did you mean 'email'\?\)/, /contact\.address has no field 'postl_code' \(did you mean 'postal_code'\?\)/, /'frist_name' \(did you mean 'first_name'\?\)/],
  },
  {
    name: 'a step below a text field',
    yaml: flow('mapping: \'{ "email": contact.email.address }\''),
    expect: ['8:36 error FLOW_ERR_PATH_NOT_OBJECT'],
    says: [/contact\.email is a string, not an object/],
  },
  {
    name: 'through a bound variable and a block',
    yaml: flow('mapping: |\n  (\n    $c := contact;\n    { "email": $c.emal }\n  )'),
    expect: ['11:19 error FLOW_ERR_PATH_UNKNOWN'],
    says: [/contact has no field 'emal' \(did you mean 'email'\?\)/],
  },
  {
    name: 'in a predicate on an event list, `$` is the item',
    yaml: flow('when: $count(event.activity_codes[$.cod = "D"]) > 0'),
    expect: ['8:37 error FLOW_ERR_PATH_NOT_OBJECT'],
    says: [/event\.activity_codes is a string, not an object/],
  },
  {
    name: 'raw: a field no payload schema of the flow\'s triggers lists is a warning',
    yaml: flow('mapping: \'{ "email": contact.email, "fields": { "n": raw.PD_frist_name, "ok": raw.AD_campaign_title } }\''),
    expect: ['8:58 warning FLOW_ERR_RAW_FIELD_UNKNOWN'],
    says: [/raw\.PD_frist_name, a field no new_activity, new_transaction, new_contact, update_contact record is documented to carry \(did you mean 'PD_first_name'\?\)/],
  },
  {
    name: "raw: only the flow's own triggers count",
    yaml: flow('mapping: \'{ "email": contact.email, "fields": { "c": raw.AD_campaign_title } }\'', '[new_contact]'),
    expect: ['8:58 warning FLOW_ERR_RAW_FIELD_UNKNOWN'],
    says: [/no new_contact record is documented to carry/],
  },
  {
    name: '$number of a text field is a warning',
    yaml: flow('mapping: |\n  { "email": contact.email, "fields": { "name": $number(contact.first_name) } }'),
    expect: ['9:49 warning FLOW_ERR_ARGUMENT_TYPE'],
    says: [/mapping calls \$number on contact\.first_name, which is a string in the event: \$number fails \(D3030\)/],
  },
  {
    name: 'argument types through `~>`, a path step and on a number',
    yaml: flow('mapping: |\n  {\n    "a": contact.last_name ~> $number(),\n    "b": contact.first_name.$number(),\n    "c": $uppercase(event.amount),\n    "d": $sum(event.activity_codes)\n  }'),
    expect: ['10:31 warning FLOW_ERR_ARGUMENT_TYPE', '11:29 warning FLOW_ERR_ARGUMENT_TYPE', '12:10 warning FLOW_ERR_ARGUMENT_TYPE', '13:10 warning FLOW_ERR_ARGUMENT_TYPE'],
    says: [/on contact\.last_name/, /on contact\.first_name/, /\$uppercase takes text and fails \(T0410\) on a number/, /\$sum takes numbers and fails \(T0412\) on a list of strings/],
  },
  {
    name: 'a trigger one typo from a known one is an error with the suggestion',
    yaml: flow('', '[new_activty, new_transaction]'),
    expect: ['7:16 error FLOW_ERR_TRIGGER_MISSPELT'],
    says: [/unknown trigger 'new_activty' \(did you mean 'new_activity'\?\): every new_activity record would be skipped/],
  },
  {
    name: 'a trigger far from every known one stays a warning',
    yaml: flow('', '[new_activity, merchant_payment]'),
    expect: ['7:30 warning FLOW_ERR_TRIGGER_UNKNOWN'],
  },
];

for (const c of cases) {
  test(`paths: ${c.name}`, () => {
    const diagnostics = validate(c.yaml);
    assert.deepEqual(diagnostics.map(brief), c.expect, diagnostics.map((d) => d.message).join('\n'));
    (c.says ?? []).forEach((re, i) => assert.match(diagnostics[i]?.message ?? '', re));
  });
}

test('what is correct passes: lambdas, bound names, filters, conditions, wildcards, raw fields, the engine\'s functions', () => {
  const mapping = `mapping: |
  (
    $full := function($c) { $join([$c.first_name, $c.last_name][$ != null], " ") };
    $amount := event.amount;
    {
      "email": contact.email,
      "fields": {
        "name": $full(contact),
        "phone": $phone(contact.phone, "+1"),
        "tag": event.tag.added,
        "codes": $join(event.activity_codes[$ in ["D", "M"]], ","),
        "gift": $amount > 0 ? $string($amount) : null,
        "city": contact.address.*[0],
        "first": $map(event.activity_ids, function($id) { $substringBefore($id, "_") })[0],
        "campaign": raw.AD_campaign_title,
        "raw_id": $number(raw.transaction_id),
        "zip": contact.address.postal_code ~> $uppercase,
        "kind": event.kind = "activity" and event.refund = false ? "gift" : "other"
      }
    }
  )`;
  assert.deepEqual(validate(flow(`when: event.on_list or $exists(contact.email)\n${mapping}`)), []);
});

test('no false positives: every example flow, every flow test folder, and the benchmarks\' flow in each mode', () => {
  const examples = readdirSync('flows', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join('flows', d.name));
  assert.ok(examples.length >= 3);
  assert.deepEqual(loadFlowDir(examples).diagnostics, []);
  for (const mode of ['mailing_list', 'all_contacts', 'all_contacts_by_list'] as const) {
    assert.deepEqual(validate(flowYaml(`bench-${mode.replaceAll('_', '-')}`, { mode, keyEnv: 'K', settleSeconds: 30 })), []);
  }
});

test('the default mapping reads only fields the event has', () => {
  assert.deepEqual(checkPaths(jsonata(DEFAULT_MAPPING).ast(), DEFAULT_MAPPING, eventShape(['new_activity'])), []);
});
