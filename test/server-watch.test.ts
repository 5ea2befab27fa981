import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureRecords } from '../adapters/flipcause/index.ts';
import { flowYaml, SECRET, startHarness, TOKEN, type Harness } from './support/harness.ts';
import '../adapters/index.ts';
import { until } from './support/until.ts';

const MODES = {
  mailing_list: flowYaml('hope', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }),
  all_contacts: flowYaml('hope', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }),
  all_contacts_by_list: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }),
};

async function watching(fn: (h: Harness, flows: string) => Promise<void>): Promise<void> {
  const h = await startHarness({
    flows: { hope: MODES.all_contacts_by_list },
    server: { watch: true, env: { TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN, NEWCOMER_SECRET: `${SECRET}_newcomer` } },
  });
  try {
    await fn(h, join(h.dir, 'flows'));
  } finally {
    await h.close();
  }
}

const modeOf = (h: Harness, flow = 'hope'): string | undefined => h.server.fleet.flow(flow)?.policy.mode;

/** How editors save: write a temporary file beside it, then rename it over the original. */
function saveAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
}

test('edits keep reaching the engine after atomic-rename saves and a cp over the file', () =>
  watching(async (h, flows) => {
    const file = join(flows, 'hope', 'flow.yaml');
    saveAtomically(file, MODES.mailing_list);
    await until('the first rename-over', () => modeOf(h) === 'mailing_list');
    saveAtomically(file, MODES.all_contacts);
    await until('a second rename-over', () => modeOf(h) === 'all_contacts');
    const elsewhere = join(h.dir, 'by-list.yaml');
    writeFileSync(elsewhere, MODES.all_contacts_by_list);
    copyFileSync(elsewhere, file);
    await until('a cp over the renamed file', () => modeOf(h) === 'all_contacts_by_list');
    writeFileSync(file, MODES.mailing_list);
    await until('a plain write after all that', () => modeOf(h) === 'mailing_list');
  }));

test('a flow file deleted and written again is picked up, and so are later edits', () =>
  watching(async (h, flows) => {
    const file = join(flows, 'hope', 'flow.yaml');
    rmSync(file);
    writeFileSync(file, MODES.all_contacts);
    await until('the recreated file', () => modeOf(h) === 'all_contacts');
    // Deleted for longer than a save takes: the flow goes, then comes back when the file does.
    rmSync(file);
    await until('the deletion', () => modeOf(h) === undefined);
    writeFileSync(file, MODES.mailing_list);
    await until('the file written again later', () => modeOf(h) === 'mailing_list');
    saveAtomically(file, MODES.all_contacts_by_list);
    await until('an atomic save after that', () => modeOf(h) === 'all_contacts_by_list');
  }));

test('a new customer folder is served without a restart; its later edits and its removal are picked up', () =>
  watching(async (h, flows) => {
    const folder = join(flows, 'newcomer');
    mkdirSync(folder);
    const yaml = flowYaml('newcomer', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }).replace('TEST_FLIPCAUSE_SECRET', 'NEWCOMER_SECRET');
    writeFileSync(join(folder, 'flow.yaml'), yaml);
    await until('the new folder\'s flow', () => modeOf(h, 'newcomer') === 'all_contacts');
    const res = await h.send('newcomer', fixtureRecords('new-contact'), { secret: `${SECRET}_newcomer` });
    assert.equal(res.status, 200, 'the new flow takes deliveries');
    await h.settled();
    assert.equal((await h.server.store.records({ flow: 'newcomer' }))[0]?.outcome, 'created');
    saveAtomically(join(folder, 'flow.yaml'), yaml.replace("mode: all_contacts", 'mode: mailing_list').replace(/groups:\n(.*\n){2}/, 'groups:\n    new: [Newsletter]\n    existing: [Newsletter]\n'));
    await until('an atomic save in the new folder', () => modeOf(h, 'newcomer') === 'mailing_list');
    rmSync(folder, { recursive: true });
    await until('the folder\'s removal', () => modeOf(h, 'newcomer') === undefined);
    assert.equal(modeOf(h), 'all_contacts_by_list', 'the other customer is untouched');
  }));
