import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalise } from '../adapters/flipcause/index.ts';
import { runDemo } from '../engine/demo/run-demo.ts';
import { demoDeliveries, demoGoLive } from '../engine/demo/scenario.ts';
import '../adapters/index.ts';

/**
 * The settle window the demo runs with here. One transaction's records come in separate
 * deliveries, sent one after another: the window must outlast the gap between the first and the
 * last even on a loaded machine, or the first is decided alone and its story breaks.
 */
const SETTLE_SECONDS = 3;

async function demo(now?: number): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runDemo({ flowsDir: 'flows', settleSeconds: SETTLE_SECONDS, out: (l) => lines.push(l), now });
  return { code, text: lines.join('\n') };
}

// One run for today, shared by the tests that read it.
let todayRun: Promise<{ code: number; text: string }> | undefined;
const today = (): Promise<{ code: number; text: string }> => (todayRun ??= demo());

/** Every story's label line is ticked, and none is crossed. */
function assertEveryStoryHeld(text: string, when: string): void {
  const stories = demoDeliveries();
  assert.equal(stories.length, 12);
  for (const s of stories) {
    assert.ok(text.includes(`  ✓ ${s.flow}: ${s.what}`), `${when}: ${s.flow}: ${s.what}\n${text}`);
  }
  assert.doesNotMatch(text, /✗/, when);
  assert.doesNotMatch(text, /did not go as labelled/, when);
}

test('the demo serves the example flows and shows one decision per transaction, refusals and the final state', async () => {
  const { code, text } = await today();
  assert.equal(code, 0, text);
  assert.match(text, /^ {2}401 {2}\{"code":"FC_ERR_SIGNATURE_INVALID"\}/m, 'the forged delivery is refused');
  assert.match(text, /^ {2}200 {2}\{"accepted":0,"duplicates":2\}/m, 'the repeated delivery is absorbed');
  assert.equal((text.match(/decided with record #\d+ \(one transaction, one decision\)/g) ?? []).length >= 3, true);
  assert.match(text, /created +all_contacts_by_list\.new_on_list · groups \+Newsletter$/m);
  assert.match(text, /skipped +no_email/);
  assert.match(text, /skipped +before_since/);
  assert.match(text, /unsubscribed +groups: Donors/, 'the unsubscribed donor keeps status and groups');
  assert.doesNotMatch(text, /pending/);
  assert.doesNotMatch(text, /jane\.doe@example\.org/i, 'emails are masked');
  assertEveryStoryHeld(text, 'today');
});

test('riverside (URL token, mailing_list mode): the sign-up is created in both groups, the donation without opt-in skipped', async () => {
  const { code, text } = await today();
  assert.equal(code, 0, text);
  assert.match(text, /^ {2}200 {2}\{"accepted":2,"duplicates":0\} +riverside-food-bank: mailing-list sign-up/m);
  assert.match(text, /riverside-food-bank +new_transaction:90577 +created +mailing_list\.new_on_list · groups \+Newsletter, \+Flipcause Sign-ups$/m);
  assert.match(text, /riverside-food-bank +new_activity:40244 +skipped +decided with record #\d+/);
  assert.equal((text.match(/riverside-food-bank +\S+ +skipped +not_on_mailing_list/g) ?? []).length, 2);
  assert.doesNotMatch(text, /riverside-food-bank +\S+ +skipped +before_since/);
  assert.match(text, /riverside-food-bank — mailing_list, new contacts active\n {4}a\*\*\*@example\.org +active +groups: Newsletter, Flipcause Sign-ups/);
  assert.match(text, /eastside-youth-soccer +new_activity:40250 +created +all_contacts\.new · groups \+Families$/m);
});

test('every story holds on any date: before the fixtures were written, years ahead', async () => {
  for (const when of ['2026-01-01T00:00:00Z', '2041-07-04T12:00:00Z']) {
    const { code, text } = await demo(Date.parse(when));
    assert.equal(code, 0, `${when}\n${text}`);
    assert.match(text, new RegExp(`samples dated ${when.slice(0, 10)}`));
    assertEveryStoryHeld(text, when);
    assert.equal((text.match(/skipped +before_since/g) ?? []).length, 2, `${when}: only the story dated before go-live is cut off`);
  }
});

test('the samples sit between go-live and now on any date; the cut-off story before go-live', () => {
  for (const when of ['2026-01-01T00:00:00Z', '2026-12-03T08:00:00Z', '2028-02-29T23:59:00Z', '2041-07-04T12:00:00Z']) {
    const now = Date.parse(when);
    const goLive = Date.parse(demoGoLive(now));
    assert.ok(goLive < now - 29 * 86_400_000 && goLive > now - 31 * 86_400_000, when);
    for (const s of demoDeliveries(now)) {
      for (const r of s.records) {
        const date = normalise(r).event.date;
        if (date === null) continue;
        const at = Date.parse(date);
        if (s.beforeGoLive) assert.ok(at < goLive, `${when}: ${s.what} is dated ${date}, before ${demoGoLive(now)}`);
        else assert.ok(at >= goLive && at <= now, `${when}: ${s.what} is dated ${date}`);
      }
    }
  }
});

test('a story that does not go as labelled is shown crossed and fails the demo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-flows-'));
  try {
    cpSync('flows', dir, { recursive: true });
    const file = join(dir, 'hope-shelter', 'flow.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^when: .*$/m, 'when: event.campaign = "No such campaign"'));
    const lines: string[] = [];
    const code = await runDemo({ flowsDir: dir, settleSeconds: SETTLE_SECONDS, out: (l) => lines.push(l) });
    const text = lines.join('\n');
    assert.equal(code, 1);
    assert.match(text, /^ {2}✗ hope-shelter: donation without opt-in \(activity \+ transaction in one POST\)\n {6}expected 200 skipped:coalesced, created, got 200 skipped:filtered_by_when, skipped:filtered_by_when$/m);
    assert.match(text, /^ {2}✓ riverside-food-bank: mailing-list sign-up/m);
    assert.match(text, /\d+ stories did not go as labelled\./);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
