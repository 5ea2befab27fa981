/**
 * Broken flow files, one per problem, each with the exact diagnostics expected: code and
 * line:col, so a diagnostic that drifts to the wrong key or line fails. Fixtures live in
 * test/fixtures/flows/ (broken/ derive from valid/test-org.flow.yaml by one edit each).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadFlowDir, type Diagnostic } from '../engine/flow/index.ts';
import '../adapters/index.ts';

const fixtures = 'test/fixtures/flows';

/** `line:col severity CODE`, plus ` path` when the case names one. */
function brief(d: Diagnostic, withPath: boolean): string {
  return `${d.line}:${d.col} ${d.severity} ${d.code}${withPath ? ` ${d.path}` : ''}`;
}

interface Case {
  name: string;
  /** Relative to broken/, or a function returning the path to load. */
  file: string | (() => string);
  expect: string[];
  /** Expectations include the yaml path. */
  paths?: boolean;
}

const binaryDir = mkdtempSync(join(tmpdir(), 'flow-binary-'));

const cases: Case[] = [
  { name: 'unknown key at the top level', file: 'unknown-key-top.yaml', expect: ['24:1 error FLOW_ERR_UNKNOWN_KEY setle_seconds'], paths: true },
  { name: 'unknown key inside an adapter block', file: 'unknown-key-nested.yaml', expect: ['7:5 error FLOW_ERR_UNKNOWN_KEY source.flipcause.org'], paths: true },
  { name: 'org id written as a number', file: 'wrong-type-org-id.yaml', expect: ['5:13 error FLOW_ERR_TYPE source.flipcause.org_id'], paths: true },
  { name: 'group slot written as a string', file: 'wrong-type-group-list.yaml', expect: ['19:10 error FLOW_ERR_TYPE policy.groups.new'], paths: true },
  { name: 'settle_seconds not an integer', file: 'wrong-type-settle.yaml', expect: ['24:17 error FLOW_ERR_TYPE'] },
  { name: 'settle_seconds above 3600', file: 'settle-out-of-range.yaml', expect: ['24:17 error FLOW_ERR_VALUE'] },
  {
    name: 'mailing_list group slots under all_contacts',
    file: 'group-keys-all-contacts.yaml',
    expect: ['18:3 error FLOW_ERR_GROUP_SLOT policy.groups.unconfirmed', '20:5 error FLOW_ERR_GROUP_SLOT policy.groups.existing'],
    paths: true,
  },
  {
    name: 'mailing_list group slots under all_contacts_by_list',
    file: 'group-keys-by-list.yaml',
    expect: ['18:3 error FLOW_ERR_GROUP_SLOT', '18:3 error FLOW_ERR_GROUP_SLOT', '19:5 error FLOW_ERR_GROUP_SLOT', '20:5 error FLOW_ERR_GROUP_SLOT'],
  },
  { name: 'empty group name', file: 'group-name-empty.yaml', expect: ['19:23 error FLOW_ERR_VALUE policy.groups.new[1]'], paths: true },
  { name: 'group named twice in one slot', file: 'group-name-twice.yaml', expect: ['19:31 error FLOW_ERR_VALUE policy.groups.new[2]'], paths: true },
  { name: 'bad new-contact status', file: 'bad-status.yaml', expect: ['17:15 error FLOW_ERR_ENUM policy.new_status'], paths: true },
  { name: 'bad mode', file: 'bad-mode.yaml', expect: ['16:9 error FLOW_ERR_ENUM policy.mode'], paths: true },
  { name: 'literal MailerLite API key', file: 'literal-api-key.yaml', expect: ['23:14 error FLOW_ERR_SECRET_LITERAL destination.mailerlite.api_key'], paths: true },
  { name: 'literal signing secret', file: 'literal-signing-secret.yaml', expect: ['6:21 error FLOW_ERR_SECRET_LITERAL'] },
  { name: 'reference of an unknown kind', file: 'malformed-secret-ref.yaml', expect: ['6:21 error FLOW_ERR_SECRET_REF'] },
  { name: 'JSONata syntax error on line 3 of a mapping block', file: 'jsonata-mapping-line-3.yaml', expect: ['13:55 error FLOW_ERR_JSONATA_SYNTAX mapping'], paths: true },
  { name: 'JSONata syntax error in a quoted when', file: 'jsonata-when.yaml', expect: ['9:23 error FLOW_ERR_JSONATA_SYNTAX when'], paths: true },
  {
    name: 'calls to functions that exist nowhere (a bound function and the engine\'s are fine)',
    file: 'jsonata-unknown-function.yaml',
    expect: ['9:34 error FLOW_ERR_JSONATA_FUNCTION when', '15:68 error FLOW_ERR_JSONATA_FUNCTION mapping'],
    paths: true,
  },
  { name: 'YAML syntax error: unclosed flow sequence', file: 'yaml-syntax.yaml', expect: ['9:1 error FLOW_ERR_YAML_SYNTAX'] },
  { name: 'YAML syntax error: bad indentation, reported once', file: 'yaml-bad-indent.yaml', expect: ['6:21 error FLOW_ERR_YAML_SYNTAX'] },
  { name: 'duplicate key', file: 'yaml-duplicate-key.yaml', expect: ['3:1 error FLOW_ERR_YAML_DUPLICATE_KEY'] },
  { name: 'two YAML documents in one file', file: 'yaml-two-documents.yaml', expect: ['24:1 error FLOW_ERR_YAML_MULTIPLE_DOCUMENTS'] },
  { name: 'empty file', file: 'empty.yaml', expect: ['1:1 error FLOW_ERR_FILE_EMPTY'] },
  { name: 'file of comments only', file: 'comments-only.yaml', expect: ['1:1 error FLOW_ERR_FILE_EMPTY'] },
  { name: 'a list instead of a mapping', file: 'not-a-mapping.yaml', expect: ['1:1 error FLOW_ERR_TYPE'] },
  {
    name: 'binary file (NUL bytes)',
    file: () => {
      const path = join(binaryDir, 'logo.flow.yaml');
      writeFileSync(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]));
      return path;
    },
    expect: ['1:1 error FLOW_ERR_FILE_BINARY'],
  },
  {
    name: 'binary file (invalid UTF-8)',
    file: () => {
      const path = join(binaryDir, 'latin1.flow.yaml');
      writeFileSync(path, Buffer.from('flow: caf\xe9\n', 'latin1'));
      return path;
    },
    expect: ['1:1 error FLOW_ERR_FILE_BINARY'],
  },
  { name: 'missing file', file: () => join(binaryDir, 'nowhere.flow.yaml'), expect: ['1:1 error FLOW_ERR_FILE_MISSING'] },
  { name: 'since is not a timestamp', file: 'bad-since.yaml', expect: ['7:12 error FLOW_ERR_SINCE source.flipcause.since'], paths: true },
  { name: 'since without a time zone', file: 'since-without-zone.yaml', expect: ['7:12 error FLOW_ERR_SINCE'] },
  { name: 'since on a day that does not exist', file: 'since-impossible-date.yaml', expect: ['7:12 error FLOW_ERR_SINCE'] },
  { name: 'flow id with capitals and an underscore', file: 'bad-flow-id.yaml', expect: ['1:7 error FLOW_ERR_FLOW_ID flow'], paths: true },
  { name: 'neither signing secret nor URL token', file: 'neither-secret-nor-token.yaml', expect: ['4:3 error FLOW_ERR_AUTH_MISSING source.flipcause'], paths: true },
  { name: 'unknown trigger is only a warning', file: 'unknown-trigger.yaml', expect: ['8:30 warning FLOW_ERR_TRIGGER_UNKNOWN source.flipcause.triggers[1]'], paths: true },
  { name: 'missing top-level key', file: 'missing-policy.yaml', expect: ['1:1 error FLOW_ERR_MISSING_KEY policy'], paths: true },
  { name: 'missing adapter key, at its block', file: 'missing-org-id.yaml', expect: ['4:3 error FLOW_ERR_MISSING_KEY source.flipcause.org_id'], paths: true },
  { name: 'source without an adapter', file: 'no-source-adapter.yaml', expect: ['3:1 error FLOW_ERR_ADAPTER'] },
  { name: 'base URL that is not a URL', file: 'bad-base-url.yaml', expect: ['24:15 error FLOW_ERR_VALUE'] },
  {
    name: 'every problem of a file in one run',
    file: 'many-problems.yaml',
    expect: [
      '1:7 error FLOW_ERR_FLOW_ID',
      '2:1 error FLOW_ERR_UNKNOWN_KEY',
      '5:13 error FLOW_ERR_TYPE',
      '6:16 error FLOW_ERR_SECRET_LITERAL',
      '7:12 error FLOW_ERR_SINCE',
      '10:15 error FLOW_ERR_ENUM',
      '11:3 error FLOW_ERR_GROUP_SLOT',
      '11:23 error FLOW_ERR_GROUP_SLOT',
      '14:14 error FLOW_ERR_SECRET_LITERAL',
      '15:17 error FLOW_ERR_VALUE',
    ],
  },
];

for (const c of cases) {
  test(`diagnostics: ${c.name}`, () => {
    const path = typeof c.file === 'string' ? join(fixtures, 'broken', c.file) : c.file();
    const result = loadFlowDir([path]);
    assert.deepEqual(
      result.diagnostics.map((d) => brief(d, c.paths ?? false)),
      c.expect,
    );
    assert.ok(result.diagnostics.every((d) => d.file === path));
    // A file with errors never yields a flow; one with only warnings does.
    const onlyWarnings = c.expect.every((e) => e.includes(' warning '));
    assert.equal(result.flows.length, onlyWarnings ? 1 : 0);
  });
}

test('the base of the broken fixtures is itself clean', () => {
  const result = loadFlowDir([join(fixtures, 'valid')]);
  assert.deepEqual(result.diagnostics, []);
  assert.equal(result.flows.length, 1);
});

test('fleet: the same flow id in two files is an error in the later file', () => {
  const result = loadFlowDir([join(fixtures, 'fleet/duplicate-ids')]);
  const dup = result.diagnostics.map((d) => `${d.file.split('/').slice(-2).join('/')}:${d.line}:${d.col} ${d.code}`);
  assert.deepEqual(dup, ['beta/flow.yaml:1:7 FLOW_ERR_DUPLICATE_FLOW_ID']);
  assert.match(result.diagnostics[0]?.message ?? '', /duplicate-ids\/alpha\/flow\.yaml:1:7/);
  assert.deepEqual(result.flows.map((f) => f.file.split('/').slice(-2).join('/')), ['alpha/flow.yaml']);
});

test('fleet: one signing secret reference shared by two customers', () => {
  const result = loadFlowDir([join(fixtures, 'fleet/shared-secret')]);
  assert.deepEqual(
    result.diagnostics.map((d) => `${d.file.split('/').slice(-2).join('/')}:${d.line}:${d.col} ${d.code} ${d.path}`),
    ['two/flow.yaml:6:21 FLOW_ERR_SECRET_REUSED source.flipcause.signing_secret'],
  );
  assert.match(result.diagnostics[0]?.message ?? '', /flow 'one'/);
});

test('fleet: tests/ inside a flow folder are flow tests, not flows', () => {
  const result = loadFlowDir([join(fixtures, 'fleet/with-tests')]);
  assert.deepEqual(result.files, [join(fixtures, 'fleet/with-tests/acme/flow.yaml')]);
  assert.deepEqual(result.diagnostics, []);
});

test('fleet: a directory with no flow files is an error, not a silent pass', () => {
  const dir = join(fixtures, 'fleet/no-flows');
  const result = loadFlowDir([dir]);
  assert.deepEqual(result.diagnostics.map((d) => `${d.file} ${d.line}:${d.col} ${d.code}`), [`${dir} 1:1 FLOW_ERR_NO_FLOWS`]);
});

test('fleet: a file named twice (directly and through its directory) is loaded once', () => {
  const file = join(fixtures, 'valid/test-org.flow.yaml');
  const result = loadFlowDir([file, join(fixtures, 'valid')]);
  assert.equal(result.files.length, 1);
  assert.deepEqual(result.diagnostics, []);
});
