import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEngine, type EngineRun } from './support/cli.ts';

const CASES = `cases:
  - name: opt-in donation lands in Newsletter
    account: { groups: [Newsletter, Donors], fields: [{ name: Street address }] }
    deliveries: [{ fixture: donation-with-opt-in }]
    expect:
      outcomes: [{ record: "90544", outcome: created }]
      subscribers: [{ email: jane.doe@example.org, status: unconfirmed, groups: [Newsletter] }]
  - name: wrong on purpose, expects Donors and active
    account: { groups: [Newsletter, Donors], fields: [{ name: Street address }] }
    deliveries: [{ fixture: donation-with-opt-in }]
    expect:
      subscribers: [{ email: jane.doe@example.org, status: active, groups: [Donors], fields: { city: Oakland } }]
`;

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flowtest-'));
  mkdirSync(join(dir, 'hope', 'tests'), { recursive: true });
  copyFileSync('flows/hope-shelter/flow.yaml', join(dir, 'hope', 'flow.yaml'));
  writeFileSync(join(dir, 'hope', 'tests', 'cases.yaml'), CASES);
  return dir;
}

const engine = (args: string[]): Promise<EngineRun> => runEngine(args);

test('a wrong expectation fails with exit 1 and a diff of only the differing paths', async () => {
  const dir = fixtureDir();
  try {
    const { code, stdout } = await engine(['test', dir]);
    assert.equal(code, 1);
    assert.match(stdout, /✓ opt-in donation lands in Newsletter/);
    assert.match(stdout, /✗ wrong on purpose, expects Donors and active/);
    const diff = stdout.slice(stdout.indexOf('✗'));
    assert.match(diff, /subscribers\[jane\.doe@example\.org\]\.status\n\s+expected: "active"\n\s+actual:   "unconfirmed"/);
    assert.match(diff, /subscribers\[jane\.doe@example\.org\]\.groups\n\s+expected: \["Donors"\]\n\s+actual:   \["Newsletter"\]/);
    // The city is right, so it is not in the diff.
    assert.doesNotMatch(diff, /fields\.city/);
    assert.match(stdout, /1 passed, 1 failed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--filter runs only the matching cases; a passing run exits 0', async () => {
  const dir = fixtureDir();
  try {
    const { code, stdout } = await engine(['test', dir, '--filter', 'lands in Newsletter']);
    assert.equal(code, 0);
    assert.match(stdout, /✓ opt-in donation lands in Newsletter/);
    assert.doesNotMatch(stdout, /wrong on purpose/);
    assert.match(stdout, /1 passed, 0 failed/);
    const none = await engine(['test', dir, '--filter', 'no case is called this']);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /no case matches/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--format json reports each case and its differences', async () => {
  const dir = fixtureDir();
  try {
    const { code, stdout } = await engine(['test', dir, '--format', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { passed: number; failed: number; cases: Array<{ name: string; status: string; differences: Array<{ path: string }> }> };
    assert.equal(report.passed, 1);
    assert.equal(report.failed, 1);
    const wrong = report.cases.find((c) => c.status === 'failed');
    assert.deepEqual(wrong?.differences.map((d) => d.path).sort(), ['subscribers[jane.doe@example.org].groups', 'subscribers[jane.doe@example.org].status']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a test file that does not match the schema is reported, not run', async () => {
  const dir = fixtureDir();
  try {
    writeFileSync(join(dir, 'hope', 'tests', 'cases.yaml'), 'cases:\n  - name: x\n    deliveries: [{ fixture: new-contact, file: a.json }]\n    expect: { outcome: [] }\n');
    const { code, stdout } = await engine(['test', dir]);
    assert.equal(code, 1);
    assert.match(stdout, /exactly one of fixture, file or records/);
    assert.match(stdout, /unknown key "outcome"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  assert.equal((await engine(['test', 'flows', '--format', 'xml'])).code, 2);
  assert.equal((await engine(['test', 'no/such/path'])).code, 2);
});
