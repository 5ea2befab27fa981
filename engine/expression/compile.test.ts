import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileExpression } from './compile.ts';
import { ExpressionErrors } from './errors.ts';

test('engine functions are available to every expression', async () => {
  const e = compileExpression('mapping', '{"p": $phone(contact.phone, "+1"), "n": $titleCase(contact.first_name), "b": $blank(contact.x)}');
  assert.deepEqual({ ...(await e.evaluate({ contact: { phone: { number: '5105550123' }, first_name: 'JANE', x: 'NA' } }) as object) }, {
    p: '+15105550123', n: 'Jane', b: null,
  });
});

test('runaway expressions are stopped by the guardrails and wrapped as permanent errors', async () => {
  const recursive = compileExpression('mapping', '($f := function($n) { 1 + $f($n + 1) }; $f(0))', { timeoutMs: 1000, maxDepth: 50 });
  await assert.rejects(recursive.evaluate({}), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && err.kind === 'permanent' && /D1011/.test(err.message));
  const slow = compileExpression('mapping', '$reduce([1..200000], function($a, $b) { $a + $b })', { timeoutMs: 5, maxDepth: 1000 });
  await assert.rejects(slow.evaluate({}), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && /D1012/.test(err.message));
});

test('an evaluation error (a JSONata plain-object throw) becomes an EngineError with the code', async () => {
  const e = compileExpression('when', '$number("abc")');
  await assert.rejects(e.evaluate({}), (err: unknown) => ExpressionErrors.ENGINE_ERR_EXPRESSION.is(err) && err instanceof Error && /when/.test(err.message));
});
