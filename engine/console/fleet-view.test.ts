import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fleetView, type AccountStateInput, type FleetInput } from './fleet-view.ts';

const HOUR = 3_600_000;
const NOW = 100 * HOUR;

function input(over: Partial<FleetInput> = {}): FleetInput {
  return {
    flows: [
      { id: 'alpha', file: 'flows/alpha/flow.yaml', account: 'acc1', mode: 'mailing_list' },
      { id: 'bravo', file: 'flows/bravo/flow.yaml', account: 'acc2', mode: 'all_contacts' },
      { id: 'charlie', file: 'flows/charlie/flow.yaml', account: 'acc1', mode: 'all_contacts' },
    ],
    accounts: new Map<string, AccountStateInput>([
      ['acc1', { paused: null, notReady: { charlie: 'group "Donors" (slot new) is not in the account' } }],
      ['acc2', { paused: { code: 'ML_ERR_AUTH', message: 'MailerLite refused the API key', since: NOW - HOUR }, notReady: {} }],
    ]),
    notConfigured: [{ flow: 'example', file: 'flows/example/flow.yaml', missing: ['${env:EXAMPLE_KEY}'] }],
    problems: [{ file: 'flows/alpha/flow.yaml', problems: ['flow.yaml:3:1 unknown key'] }],
    overview: [
      { flow: 'alpha', pending: 3, dead: 0, oldestPendingAt: NOW - 5000, lastDeliveryAt: NOW - 1000, recent: { created: 2 } },
      { flow: 'bravo', pending: 0, dead: 2, oldestPendingAt: null, lastDeliveryAt: NOW - 2 * HOUR, recent: { dead: 2 } },
      { flow: 'gone', pending: 1, dead: 0, oldestPendingAt: NOW - 10, lastDeliveryAt: NOW - 10, recent: {} },
    ],
    now: NOW,
    silentAfterMs: 48 * HOUR,
    ...over,
  };
}

test('each flow gets its state: ok, paused with the reason, waiting for a group, not configured, not loaded', () => {
  const view = fleetView(input());
  assert.deepEqual(view.rows.map((r) => [r.flow, r.state, r.stateText, r.stateSince]), [
    ['alpha', 'ok', 'ok', null],
    ['bravo', 'paused', 'MailerLite refused the API key (ML_ERR_AUTH)', NOW - HOUR],
    ['charlie', 'waiting', 'group "Donors" (slot new) is not in the account', null],
    ['example', 'not_configured', 'set ${env:EXAMPLE_KEY}', null],
    ['gone', 'not_loaded', 'no flow file serves it', null],
  ]);
});

test('counts come from the overview; a flow without records shows zeros; reload problems stay with their flow', () => {
  const view = fleetView(input());
  const alpha = view.rows.find((r) => r.flow === 'alpha')!;
  assert.deepEqual([alpha.pending, alpha.dead, alpha.oldestPendingAt, alpha.lastDeliveryAt, alpha.recent], [3, 0, NOW - 5000, NOW - 1000, { created: 2 }]);
  assert.deepEqual(alpha.reloadProblems, ['flow.yaml:3:1 unknown key']);
  const charlie = view.rows.find((r) => r.flow === 'charlie')!;
  assert.deepEqual([charlie.pending, charlie.dead, charlie.lastDeliveryAt, charlie.recent], [0, 0, null, {}]);
  assert.deepEqual(view.totals, { flows: 5, pending: 4, dead: 2, attention: 5 });
});

test('a served flow is silent once its last delivery is older than the threshold, and says since when', () => {
  const view = fleetView(input({ now: NOW + 47 * HOUR }));
  assert.equal(view.rows.find((r) => r.flow === 'alpha')?.state, 'ok');
  const later = fleetView(input({ now: NOW + 49 * HOUR }));
  const alpha = later.rows.find((r) => r.flow === 'alpha')!;
  assert.deepEqual([alpha.state, alpha.stateText, alpha.stateSince], ['silent', 'silent since', NOW - 1000]);
  assert.equal(fleetView(input({ overview: [] })).rows.find((r) => r.flow === 'alpha')?.stateText, 'ok, no delivery yet');
});

test('a paused account outranks a missing group and silence', () => {
  const view = fleetView(input({
    accounts: new Map([['acc1', { paused: { code: 'ML_ERR_AUTH', message: 'refused', since: 1 }, notReady: { charlie: 'missing' } }]]),
    now: NOW + 100 * HOUR,
  }));
  assert.deepEqual(view.rows.filter((r) => r.flow === 'alpha' || r.flow === 'charlie').map((r) => r.state), ['paused', 'paused']);
});
