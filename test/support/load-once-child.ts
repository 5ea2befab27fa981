/**
 * Run with the compile spy preloaded: loads three flows through the runtime's loader — one with a
 * `when` and a mapping, a copy of it under another id and secret, one with neither and no
 * settle_seconds (the defaults) — then loads them again, and prints the JSONata compile counts,
 * and whether the copy runs the very same compiled expressions, as one JSON line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFleet } from '../../engine/runtime/load-flow.ts';
import { flowYaml, SECRET, TOKEN } from './harness.ts';
import '../../adapters/index.ts';

const counts = (globalThis as { __benchCompiles?: { jsonata: number; ajv: number } }).__benchCompiles;
if (!counts) throw new Error('preload bench/compile-spy.ts');

const dir = mkdtempSync(join(tmpdir(), 'engine-load-once-'));
const groups = { mailing_list: ['Newsletter'], not_on_list: ['Donors'] };
const expressions = 'when: event.amount > 5\nmapping: |\n  { "email": contact.email }\n';
const flows = {
  withExpressions: flowYaml('with-expressions', 'all_contacts_by_list', groups, expressions),
  sameExpressions: flowYaml('same-expressions', 'mailing_list', { new: [], existing: [] }, expressions).replace('TEST_FLIPCAUSE_SECRET', 'THIRD_FLIPCAUSE_SECRET'),
  withDefaults: flowYaml('with-defaults', 'all_contacts_by_list', groups).replace('TEST_FLIPCAUSE_SECRET', 'OTHER_FLIPCAUSE_SECRET').replace('settle_seconds: 0\n', ''),
};
for (const [name, yaml] of Object.entries(flows)) {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'flow.yaml'), yaml);
}
const env = { TEST_FLIPCAUSE_SECRET: SECRET, OTHER_FLIPCAUSE_SECRET: `${SECRET}-other`, THIRD_FLIPCAUSE_SECRET: `${SECRET}-third`, TEST_MAILERLITE_KEY: TOKEN };
try {
  const before = counts.jsonata;
  const first = loadFleet([dir], { env });
  const afterFirst = counts.jsonata;
  const second = loadFleet([dir], { env });
  const afterSecond = counts.jsonata;
  const byId = (load: typeof first, id: string) => load.flows.find((f) => f.id === id)!;
  const [original, copy] = [byId(first, 'with-expressions'), byId(first, 'same-expressions')];
  process.stdout.write(JSON.stringify({
    loaded: [first.flows.length, second.flows.length],
    problems: [...first.problems.values()].flat(),
    firstLoad: afterFirst - before,
    secondLoad: afterSecond - afterFirst,
    settleMs: Object.fromEntries(first.flows.map((f) => [f.id, f.settleMs])),
    copyShares: { when: original.when !== null && copy.when === original.when, mapping: copy.mapping === original.mapping },
    defaultShared: byId(second, 'with-defaults').mapping === byId(first, 'with-defaults').mapping,
  }) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
