/**
 * Run with the compile spy preloaded: starts a whole engine (fake, server, one flow), snapshots
 * the compile counters, sends deliveries through HTTP intake and the worker, and prints the
 * counters before and after as one JSON line.
 */
import { fixtureNames, fixtureRecords } from '../../adapters/flipcause/index.ts';
import { flowYaml, startHarness } from './harness.ts';
import '../../adapters/index.ts';

const counts = (globalThis as { __benchCompiles?: { jsonata: number; ajv: number } }).__benchCompiles;
if (!counts) throw new Error('preload bench/compile-spy.ts');

const h = await startHarness({
  flows: {
    hope: flowYaml('hope', 'all_contacts_by_list', { mailing_list: ['Newsletter'], not_on_list: ['Donors'] }, 'when: $not("RD" in event.activity_codes)\n'),
  },
});
const atLoad = { ...counts };
let n = 0;
for (let round = 0; round < 5; round++) {
  for (const name of fixtureNames()) {
    const records = fixtureRecords(name).map((r) => ({ ...r, ...('id' in r ? { id: `${r.id}${round}` } : { webhook_record_id: `${r.webhook_record_id}${round}` }) }));
    const res = await h.send('hope', records);
    if (res.status !== 200) throw new Error(`delivery ${name} answered ${res.status}`);
    n += records.length;
  }
}
await h.settled();
const finished = (await h.server.store.records({ flow: 'hope', limit: 10_000 })).filter((r) => r.status !== 'pending').length;
await h.close();
process.stdout.write(JSON.stringify({ atLoad, after: { ...counts }, records: n, finished }) + '\n');
