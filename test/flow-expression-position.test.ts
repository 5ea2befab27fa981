/**
 * JSONata reports a syntax error as a character offset into the expression; these cases prove
 * the offset lands on the right line and column of the YAML file for every way a string can be
 * written: literal and folded blocks (indentation stripped), quoted scalars (escapes, '' and line
 * folding), plain multi-line scalars and CRLF files.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileExpressions } from '../engine/flow/expressions.ts';
import { FlowSource } from '../engine/flow/flow-source.ts';

function errorAt(yaml: string): string {
  const source = new FlowSource(yaml);
  assert.deepEqual(source.doc.errors, [], 'the YAML itself parses');
  const { diagnostics } = compileExpressions(source.doc.toJS(), source, 'f.yaml');
  assert.equal(diagnostics.length, 1, 'one JSONata error');
  const [d] = diagnostics;
  return `${d?.line}:${d?.col} ${d?.code}`;
}

const cases: { name: string; yaml: string; at: string }[] = [
  {
    name: 'literal block, error on its third line',
    yaml: 'flow: x\nmapping: |\n  {\n    "email": contact.email,\n    "name": contact.first_name "x"\n  }\n',
    at: '5:32',
  },
  {
    name: 'literal block with an indentation indicator and a header comment',
    yaml: 'flow: x\nmapping: |2-   # kept two spaces deeper\n    {\n      "a": b c\n    }\n',
    at: '4:14',
  },
  {
    name: 'literal block nested deeper than the top level',
    yaml: 'flow: x\nextra:\n  mapping: ok\nmapping: |\n      {\n        "a": $phone(contact.phone ]\n      }\n',
    at: '6:35',
  },
  { name: 'folded block: the line break became a space', yaml: 'when: >\n  event.amount >\n  = 5\n', at: '3:3' },
  { name: 'double-quoted with escapes and a folded line', yaml: 'when: "contact.first_name = \\"Ann\\" and\n  ) "\n', at: '2:3' },
  { name: "single-quoted with a doubled ''", yaml: "when: 'contact.last_name = \"O''Brien\" ]'\n", at: '1:39' },
  { name: 'plain scalar over two lines', yaml: 'when: event.amount >\n  5 5\n', at: '2:5' },
  { name: 'unexpected end: blame the last thing written', yaml: 'mapping: |\n  {\n    "a": b,\n\n', at: '3:11' },
  { name: 'CRLF line endings', yaml: 'flow: x\r\nmapping: |\r\n  {\r\n    "a": b c\r\n  }\r\n', at: '4:12' },
  { name: 'string token: blame its opening quote', yaml: 'when: event.amount > 5 "five"\n', at: '1:24' },
];

for (const c of cases) {
  test(`JSONata error position: ${c.name}`, () => {
    assert.equal(errorAt(c.yaml), `${c.at} FLOW_ERR_JSONATA_SYNTAX`);
  });
}

test('valid expressions compile once and come back ready to evaluate', async () => {
  const source = new FlowSource('when: event.amount > 5\nmapping: |\n  { "email": contact.email }\n');
  const { expressions, diagnostics } = compileExpressions(source.doc.toJS(), source, 'f.yaml');
  assert.deepEqual(diagnostics, []);
  assert.equal(await expressions.when?.evaluate({ event: { amount: 7 } }), true);
  assert.deepEqual({ ...(await expressions.mapping?.evaluate({ contact: { email: 'a@b.org' } }) as object) }, { email: 'a@b.org' });
});
