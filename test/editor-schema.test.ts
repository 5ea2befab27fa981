/**
 * The editor experience the README promises, driven as an editor drives it: yaml-language-server
 * over stdio (the Language Server Protocol), reading the published schemas through the
 * `# yaml-language-server: $schema=` line the example flows start with. A mistake is flagged at its
 * line with the schema's readable message; completion offers each mode with its description, the
 * mapping as a block scalar, and snippets with neutral names.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import '../adapters/index.ts';
import { loadFlowFile } from '../engine/flow/load-file.ts';
import { LspClient, type LspCompletionItem, type LspDiagnostic } from './support/lsp-client.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = fileURLToPath(new URL('../node_modules/yaml-language-server/bin/yaml-language-server', import.meta.url));
// Never fetch the public schema store: the test runs offline and reads only the project's schemas.
const settings = { yaml: { validate: true, completion: true, hover: true, schemaStore: { enable: false }, format: { enable: false } }, http: {}, '[yaml]': {}, editor: {} };

let lsp: LspClient;
let version = 0;

before(async () => {
  lsp = new LspClient(process.execPath, [server, '--stdio'], settings);
  await lsp.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
      textDocument: {
        completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
        publishDiagnostics: {},
      },
    },
  });
  lsp.notify('initialized', {});
  lsp.notify('workspace/didChangeConfiguration', { settings });
});

after(() => lsp.close());

/** Opens `text` as flows/<name>/<file> (never written to disk) and returns its URI. */
function open(path: string, text: string): string {
  const uri = pathToFileURL(`${root}${path}`).href;
  lsp.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: ++version, text } });
  return uri;
}

function diagnosticsOf(uri: string, expected: number): Promise<LspDiagnostic[]> {
  return lsp.waitFor<{ uri: string; diagnostics: LspDiagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length >= expected).then((p) => p.diagnostics);
}

async function completion(uri: string, line: number, character: number): Promise<LspCompletionItem[]> {
  const answer = await lsp.request<{ items: LspCompletionItem[] } | LspCompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: { line, character } });
  return Array.isArray(answer) ? answer : answer.items;
}

const docText = (d: LspCompletionItem['documentation']): string => (typeof d === 'string' ? d : d?.value ?? '');
const inserted = (i: LspCompletionItem): string => i.textEdit?.newText ?? i.insertText ?? '';

const FLOW = `# yaml-language-server: $schema=../../schemas/flow.schema.json
flow: Example_Nonprofit
source:
  flipcause:
    org_id: "638"
    signing_secret: whsec_pasted_here_by_mistake
    since: 2026-11-01T00:00
policy:
  mode: all_contacts
  new_status: active
  groups: { new: [Donors], unconfirmed: [Donors] }
destination:
  mailerlite:
    api_key: \${env:EXAMPLE_NONPROFIT_MAILERLITE_KEY}
`;

test('a literal secret, a since without a zone and a bad flow id are flagged at their lines with readable messages, never the value', async () => {
  const uri = open('flows/editor-mistakes/flow.yaml', FLOW);
  const found = await diagnosticsOf(uri, 3);
  const at = (line: number) => found.filter((d) => d.range.start.line === line).map((d) => d.message);
  assert.deepEqual(at(1), ['A flow id is lowercase letters, digits and single dashes (e.g. example-nonprofit): it is also the webhook path /hooks/<flow>.']);
  assert.deepEqual(at(5), ['A reference to the secret, never the secret itself: ${env:NAME} (an environment variable) or ${file:path} (a file beside the flow).']);
  assert.match(at(6).join('\n'), /^An ISO 8601 date or date-time with Z or an offset, e\.g\. 2026-11-01T00:00:00Z/);
  assert.equal(found.length, 3, found.map((d) => `${d.range.start.line}: ${d.message}`).join('\n'));
  assert.ok(found.every((d) => !d.message.includes('whsec_pasted')), 'the pasted secret is not echoed');
});

test('a correct flow gets no diagnostic', async () => {
  const fixed = FLOW.replace('Example_Nonprofit', 'example-nonprofit')
    .replace('whsec_pasted_here_by_mistake', '${env:EXAMPLE_NONPROFIT_FLIPCAUSE_SECRET}')
    .replace('2026-11-01T00:00', '2026-11-01T00:00:00Z');
  const uri = open('flows/editor-fixed/flow.yaml', fixed);
  // The first publication after the schema loads is the answer; an empty list counts.
  const published = await lsp.waitFor<{ uri: string; diagnostics: LspDiagnostic[] }>('textDocument/publishDiagnostics', (p) => p.uri === uri);
  assert.deepEqual(published.diagnostics.map((d) => d.message), []);
});

test('completing a mode offers the three modes, each with its own description in the seed\'s words', async () => {
  const uri = open('flows/editor-mode/flow.yaml', FLOW.replace('  mode: all_contacts', '  mode: '));
  await diagnosticsOf(uri, 1); // the schema is loaded
  const items = await completion(uri, 8, 8);
  const modes = new Map(items.map((i) => [i.label, docText(i.documentation)]));
  assert.deepEqual(['mailing_list', 'all_contacts', 'all_contacts_by_list'].filter((m) => modes.has(m)), ['mailing_list', 'all_contacts', 'all_contacts_by_list']);
  assert.match(modes.get('mailing_list')!, /^\*\*Mailing List Contacts\*\* — only contacts on the Flipcause mailing list are created \(groups `new`\)/);
  assert.match(modes.get('all_contacts')!, /^\*\*All Contacts, treated the same\*\*/);
  assert.match(modes.get('all_contacts_by_list')!, /^\*\*All Contacts, based on the mailing list\*\* .*`mailing_list` or `not_on_list`/);
});

test('the mapping is completed as a block scalar, and snippets use neutral names', async () => {
  const text = FLOW.replace('policy:\n', 'mapping: \npolicy:\n');
  const uri = open('flows/editor-mapping/flow.yaml', text);
  await diagnosticsOf(uri, 1);
  const mapping = await completion(uri, 7, 9);
  const block = mapping.find((i) => i.label === 'mapping: block scalar');
  assert.ok(block, mapping.map((i) => i.label).join(', '));
  assert.match(inserted(block), /^\|\n {2}\{\n {4}"email": contact\.email,/);
  assert.match(inserted(block), /\\\$phone\(contact\.phone\)/, 'a JSONata function is escaped in the snippet, not taken for a placeholder');

  const policy = await completion(open('flows/editor-policy/flow.yaml', FLOW.replace(/policy:\n[^]*?destination:/, 'policy:\n  \ndestination:')), 8, 2);
  assert.ok(policy.some((i) => i.label === 'policy: all_contacts_by_list' && /mailing_list:/.test(inserted(i)) && /not_on_list:/.test(inserted(i))), policy.map((i) => i.label).join(', '));

  const empty = open('flows/editor-empty/flow.yaml', '# yaml-language-server: $schema=../../schemas/flow.schema.json\n\n');
  const whole = (await completion(empty, 1, 0)).find((i) => i.label === 'flow (Flipcause → MailerLite)');
  assert.ok(whole);
  assert.match(inserted(whole), /signing_secret: \\\$\{env:\$\{4:EXAMPLE_NONPROFIT\}_FLIPCAUSE_SECRET\}/);
  assert.match(inserted(whole), /\nmapping: \|\n {2}\{/);
  for (const item of [...mapping, ...policy]) assert.doesNotMatch(inserted(item) + docText(item.documentation), /HOPE_SHELTER|RIVERSIDE|EASTSIDE/i, item.label);
});

test('the flow-test schema teaches too: outcomes with descriptions, a readable fixture message', async () => {
  const cases = `# yaml-language-server: $schema=../../../schemas/flow-test.schema.json
cases:
  - name: a donor
    deliveries:
      - fixture: Donation_With_Opt_In
    expect:
      outcomes:
        - record: "5101"
          outcome: 
`;
  const uri = open('flows/editor-cases/tests/cases.yaml', cases);
  const found = await diagnosticsOf(uri, 1);
  const fixture = found.find((d) => d.range.start.line === 4);
  assert.match(fixture?.message ?? '', /^A sample delivery's name: lowercase letters, digits and dashes, the file name without \.json/);
  const items = await completion(uri, 8, 19);
  const dead = items.find((i) => i.label === 'dead');
  assert.match(docText(dead?.documentation), /given up: a permanent failure, or retries spent/);
  assert.ok(items.find((i) => i.label === 'skipped' && /`reason` says why/.test(docText(i.documentation))));
});

test('the CLI reports each of those mistakes once, with its own code: the schema patterns the editor reads add no second error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'editor-cli-'));
  try {
    const file = join(dir, 'flow.yaml');
    writeFileSync(file, FLOW.replace('Example_Nonprofit', 'example-nonprofit').replace('"638"', '"63x"'));
    const found = loadFlowFile(file).diagnostics.map((d) => `${d.line}:${d.col} ${d.code}`);
    assert.deepEqual(found, ['5:13 FLOW_ERR_VALUE', '6:21 FLOW_ERR_SECRET_LITERAL', '7:12 FLOW_ERR_SINCE']);
    const org = loadFlowFile(file).diagnostics[0]!.message;
    assert.match(org, /^The Flipcause account id is digits only/, 'a pattern reads as the schema words it, in the CLI as in the editor');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
