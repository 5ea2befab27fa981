import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const engine = (...args: string[]) => spawnSync(process.execPath, ['engine/cli/bin.js', ...args], { encoding: 'utf8' });

test('engine explain prints the flow\'s table with its real group names, by id or by path', () => {
  const byId = engine('explain', 'hope-shelter', '--format', 'markdown');
  assert.equal(byId.status, 0, byId.stderr);
  assert.match(byId.stdout, /All Contacts, based on the mailing list/);
  assert.match(byId.stdout, /"Newsletter"/);
  assert.match(byId.stdout, /"Donors"/);
  assert.equal(byId.stdout.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Flipcause') && !l.startsWith('|---')).length, 5);
  const byPath = engine('explain', 'flows/riverside-food-bank');
  assert.equal(byPath.status, 0);
  assert.match(byPath.stdout, /Flipcause Sign-ups/);
  assert.match(byPath.stdout, /not added to MailerLite/);
});

test('engine explain: an unknown flow exits 1 naming it; a bad option is a usage error (2)', () => {
  const unknown = engine('explain', 'no-such-customer');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no valid flow "no-such-customer"/);
  assert.equal(engine('explain', 'hope-shelter', '--format', 'pdf').status, 2);
  assert.equal(engine('explain').status, 2);
});

test('engine help lists every command; an unknown command exits 2', () => {
  const help = engine('help');
  assert.equal(help.status, 0);
  for (const name of ['validate', 'test', 'explain', 'run', 'serve', 'status', 'replay', 'check', 'setup', 'backfill', 'purge-test-contacts', 'fake-mailerlite', 'demo', 'schema']) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'), name);
  }
  assert.equal(engine('frobnicate').status, 2);
});
