/** Secret references: parsing, resolving from the environment or a file, and the errors when they do not resolve. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { flowErrors, loadFlowDir, parseSecretRef, resolveSecret, secretContext } from '../engine/flow/index.ts';
import '../adapters/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'flow-secrets-'));
writeFileSync(join(dir, 'token.txt'), 'tok_0123456789abcdef01234567\n');
writeFileSync(join(dir, 'blank.txt'), '\n');

test('parseSecretRef recognises ${env:NAME} and ${file:path} only', () => {
  assert.deepEqual(parseSecretRef('${env:HOPE_KEY}'), { kind: 'env', name: 'HOPE_KEY' });
  assert.deepEqual(parseSecretRef('${file:secrets/ml.key}'), { kind: 'file', path: 'secrets/ml.key' });
  for (const bad of ['HOPE_KEY', '${env:}', '${env:1BAD}', '${vault:x}', '${env:A} ', 'x${env:A}', '${file:}']) {
    assert.equal(parseSecretRef(bad), undefined, bad);
  }
});

test('an env reference reads the given environment, trimmed', () => {
  assert.equal(resolveSecret('${env:K}', { K: ' mlk_123 ' }), 'mlk_123');
});

test('an unset or empty variable is FLOW_ERR_SECRET_UNSET naming the variable', () => {
  assert.throws(() => resolveSecret('${env:NOPE}', {}), (err) => flowErrors.FLOW_ERR_SECRET_UNSET.is(err) && /NOPE/.test(err.message));
  assert.throws(() => resolveSecret('${env:EMPTY}', { EMPTY: '  ' }), (err) => flowErrors.FLOW_ERR_SECRET_UNSET.is(err));
});

test('a file reference is relative to the base directory and loses its trailing newline', () => {
  assert.equal(resolveSecret('${file:token.txt}', {}, dir), 'tok_0123456789abcdef01234567');
  assert.equal(resolveSecret(`\${file:${join(dir, 'token.txt')}}`, {}, '/'), 'tok_0123456789abcdef01234567');
});

test('a missing or empty secret file is FLOW_ERR_SECRET_FILE', () => {
  assert.throws(() => resolveSecret('${file:absent.txt}', {}, dir), (err) => flowErrors.FLOW_ERR_SECRET_FILE.is(err) && /ENOENT/.test(err.message));
  assert.throws(() => resolveSecret('${file:blank.txt}', {}, dir), (err) => flowErrors.FLOW_ERR_SECRET_FILE.is(err) && /empty/.test(err.message));
});

test('a literal is FLOW_ERR_SECRET_LITERAL and its message does not echo the would-be secret', () => {
  assert.throws(() => resolveSecret('whsec_abc', {}), (err) => flowErrors.FLOW_ERR_SECRET_LITERAL.is(err) && !err.message.includes('whsec_abc'));
  assert.throws(() => resolveSecret('${vault:x}', {}), (err) => flowErrors.FLOW_ERR_SECRET_REF.is(err) && err.status === 400);
});

test('secretContext resolves file references next to the flow file', () => {
  const ctx = secretContext(join(dir, 'flow.yaml'), { K: 'v' });
  assert.equal(ctx.secret('${file:token.txt}'), 'tok_0123456789abcdef01234567');
  assert.equal(ctx.secret('${env:K}'), 'v');
});

test('with resolveSecrets, unresolvable references are diagnostics at their values', () => {
  const flowDir = join(dir, 'acme');
  mkdirSync(flowDir);
  writeFileSync(
    join(flowDir, 'flow.yaml'),
    [
      'flow: acme',
      'source:',
      '  flipcause:',
      '    org_id: "1"',
      '    signing_secret: ${env:ACME_SECRET}',
      '    url_token: ${file:../token.txt}',
      '    since: 2026-01-01',
      'policy: { mode: all_contacts, new_status: active, groups: { new: [], unconfirmed: [] } }',
      'destination:',
      '  mailerlite:',
      '    api_key: ${file:missing.key}',
      '',
    ].join('\n'),
  );
  const plain = loadFlowDir([flowDir]);
  assert.deepEqual(plain.diagnostics, [], 'validate alone does not need the secrets');
  const checked = loadFlowDir([flowDir], { resolveSecrets: { env: {} } });
  assert.deepEqual(
    checked.diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`),
    ['5:21 FLOW_ERR_SECRET_UNSET', '11:14 FLOW_ERR_SECRET_FILE'],
  );
});
