import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredRecord } from '../store/types.ts';
import { recordTimeline } from './record-timeline.ts';

const RECORD: StoredRecord = {
  id: 7, flow: 'hope', dedupeKey: 'new_activity:1', trigger: 'new_activity', raw: {}, receivedAt: 1000, subject: 'h', txn: 'T1',
  status: 'done', availableAt: 1000, attempts: 2, outcome: 'created', reason: null, errorCode: null, finishedAt: 5000,
};
const ROWS = [{ id: 'all_contacts.new', contact: 'Any contact', inMailerLite: 'not in MailerLite', whatHappens: 'added as Active subscriber, in no group' }];

test('received, a failed attempt, the deciding attempt with its policy row and requests, the coalesced records, the end', () => {
  const t = recordTimeline(RECORD, [
    { at: 2000, attempt: 1, outcome: 'failed', errorCode: 'ML_ERR_SERVER', reason: 'MailerLite answered 503' },
    { at: 5000, attempt: 2, outcome: 'created', detail: { rule: 'all_contacts.new', on_list: true, ml_status: 'none', subscriber: '42', groups: ['Donors'], requests: ['POST /destination/contacts'], ml_did: 'created a new subscriber' } },
  ], [8, 9], ROWS);
  assert.deepEqual(t.map((e) => [e.at, e.title, e.tone]), [
    [1000, 'Received', 'ok'],
    [2000, 'Failed, will retry (attempt 1)', 'bad'],
    [5000, 'Created (attempt 2)', 'ok'],
    [5000, 'Settled together with 2 other records', 'neutral'],
    [5000, 'Done: created', 'ok'],
  ]);
  assert.deepEqual(t[0]?.lines, ['delivery accepted with a valid signature; trigger new_activity', 'transaction T1']);
  assert.deepEqual(t[1]?.lines, ['ML_ERR_SERVER: MailerLite answered 503']);
  assert.deepEqual(t[2]?.rule, { id: 'all_contacts.new', text: 'Any contact, not in MailerLite: added as Active subscriber, in no group' });
  assert.deepEqual(t[2]?.requests, ['POST /destination/contacts']);
  assert.deepEqual(t[2]?.lines, ['in MailerLite before: none; on the mailing list', 'MailerLite answered: created a new subscriber', 'subscriber 42', 'groups added: Donors']);
  assert.deepEqual(t[3]?.links, [{ label: '#8', id: 8 }, { label: '#9', id: 9 }]);
});

test('a coalesced record links to the record that carried its outcome; a row the flow lost is said so', () => {
  const t = recordTimeline({ ...RECORD, outcome: 'skipped' }, [
    { at: 5000, attempt: 1, outcome: 'skipped', reason: 'coalesced', detail: { into: 6, rule: 'gone.row' } },
  ], [], ROWS);
  assert.deepEqual(t[1]?.links, [{ label: 'decided with record #6', id: 6 }]);
  assert.equal(t[1]?.rule?.text, 'a policy row this flow no longer has');
  assert.equal(t[2]?.title, 'Done: skipped');
});

test('pending and dead records say where they stand', () => {
  assert.deepEqual(recordTimeline({ ...RECORD, status: 'pending', outcome: null, finishedAt: null, attempts: 0, availableAt: 3000 }, [], [], null).at(-1),
    { at: 3000, title: 'Waiting to be sent', tone: 'neutral', lines: ['pending in the queue'], requests: [], links: [] });
  assert.equal(recordTimeline({ ...RECORD, status: 'pending', attempts: 1 }, [], [], null).at(-1)?.title, 'Waiting for its next attempt');
  assert.equal(recordTimeline({ ...RECORD, status: 'dead', outcome: 'dead' }, [], [], null).at(-1)?.title, 'Dead letter');
});
