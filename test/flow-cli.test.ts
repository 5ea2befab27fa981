/**
 * `engine validate` and `engine schema` as CI runs them: a child process, its output and its
 * exit code (0 clean, 1 errors, 2 usage). Bad files give one line each, never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

function engine(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['engine/cli/bin.js', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const line = /^[^:]+:\d+:\d+: (error|warning) FLOW_ERR_[A-Z_]+ .+$/;

test('validate flows/ exits 0 on the examples', () => {
  const r = engine('validate', 'flows/');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^3 flow files: 0 errors, 0 warnings\n$/);
});

test('validate reports every problem as path:line:col and exits 1', () => {
  const file = 'test/fixtures/flows/broken/many-problems.yaml';
  const r = engine('validate', file);
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 10);
  for (const l of lines) assert.match(l, line);
  assert.equal(lines[1], `${file}:2:1: error FLOW_ERR_UNKNOWN_KEY unknown key 'descripton' (did you mean 'description'?) (descripton)`);
});

test('warnings alone exit 0', () => {
  const r = engine('validate', 'test/fixtures/flows/broken/unknown-trigger.yaml');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /:8:30: warning FLOW_ERR_TRIGGER_UNKNOWN /);
});

test('--strict (for CI) fails on warnings; errors fail either way; a clean file passes either way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-strict-'));
  const typed = join(dir, 'typed.flow.yaml');
  // One warning only: $number of a name fails on every record that is not a number.
  const valid = readFileSync('test/fixtures/flows/valid/test-org.flow.yaml', 'utf8');
  writeFileSync(typed, valid.replace(/^mapping:[\s\S]*?(?=^\w)/m, '') + 'mapping: \'{ "email": contact.email, "fields": { "n": $number(contact.first_name) } }\'\n');
  const cases: Array<{ args: string[]; status: number; summary: RegExp }> = [
    { args: ['test/fixtures/flows/broken/unknown-trigger.yaml'], status: 0, summary: /0 errors, 1 warning\n$/ },
    { args: ['--strict', 'test/fixtures/flows/broken/unknown-trigger.yaml'], status: 1, summary: /0 errors, 1 warning \(--strict: warnings fail\)\n$/ },
    { args: [typed], status: 0, summary: /0 errors, 1 warning\n$/ },
    { args: ['--strict', typed], status: 1, summary: /0 errors, 1 warning \(--strict: warnings fail\)\n$/ },
    { args: ['--strict', 'test/fixtures/flows/broken/bad-status.yaml'], status: 1, summary: /1 error, 0 warnings\n$/ },
    { args: ['--strict', 'flows'], status: 0, summary: /3 flow files: 0 errors, 0 warnings\n$/ },
    { args: ['--strict', '--format', 'json', typed], status: 1, summary: /^$/ },
  ];
  for (const c of cases) {
    const r = engine('validate', ...c.args);
    assert.equal(r.status, c.status, `${c.args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, c.summary, c.args.join(' '));
  }
  assert.match(engine('validate', '--strict', typed).stdout, /:\d+:\d+: warning FLOW_ERR_ARGUMENT_TYPE mapping calls \$number on contact\.first_name/);
});

test('missing, empty and binary files each get one line, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flow-cli-'));
  writeFileSync(join(dir, 'empty.flow.yaml'), '');
  writeFileSync(join(dir, 'image.flow.yaml'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
  const r = engine('validate', join(dir, 'absent.flow.yaml'), join(dir, 'empty.flow.yaml'), join(dir, 'image.flow.yaml'), 'test/fixtures/flows/broken/yaml-syntax.yaml');
  assert.equal(r.status, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.replace(dir, 'DIR').replace(/ FLOW_ERR_(\w+) .*/, ' $1')),
    ['DIR/absent.flow.yaml:1:1: error FILE_MISSING', 'DIR/empty.flow.yaml:1:1: error FILE_EMPTY', 'DIR/image.flow.yaml:1:1: error FILE_BINARY', 'test/fixtures/flows/broken/yaml-syntax.yaml:9:1: error YAML_SYNTAX'],
  );
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /);
});

test('--format json gives tools the diagnostics with their fields', () => {
  const r = engine('validate', '--format', 'json', 'test/fixtures/flows/broken/bad-status.yaml');
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout) as { errors: number; warnings: number; files: string[]; diagnostics: Record<string, unknown>[] };
  assert.equal(out.errors, 1);
  assert.deepEqual(out.files, ['test/fixtures/flows/broken/bad-status.yaml']);
  assert.deepEqual(out.diagnostics[0], {
    file: 'test/fixtures/flows/broken/bad-status.yaml',
    line: 17,
    col: 15,
    severity: 'error',
    code: 'FLOW_ERR_ENUM',
    message: 'must be one of active, unconfirmed, got string "pending"',
    path: 'policy.new_status',
  });
});

test('usage errors exit 2', () => {
  assert.equal(engine('validate', '--format', 'xml', 'flows').status, 2);
  assert.equal(engine('validate', '--colour').status, 2);
});

test('schema --check agrees with the committed schema', () => {
  const r = engine('schema', '--check');
  assert.equal(r.status, 0, r.stderr);
});

test('schema --check fails on a stale file', () => {
  const stale = join(mkdtempSync(join(tmpdir(), 'flow-schema-')), 'flow.schema.json');
  writeFileSync(stale, '{}\n');
  const r = engine('schema', '--check', '--out', stale);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /out of date/);
});
