/**
 * Nothing acknowledged is lost: the server process is killed with SIGKILL at random moments while
 * deliveries arrive and while the worker writes to MailerLite, restarted on the same SQLite file,
 * and at the end every record that got a 200 is finished and its contact exists exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { signBody } from '../adapters/flipcause/index.ts';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { flowYaml, SECRET, TOKEN } from './support/harness.ts';
import '../adapters/index.ts';

const ADMIN = 'crash-admin-token';
const ENTRY = new URL('./support/serve-entry.ts', import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  url: string;
}

function startChild(flows: string, db: string, fake: string, children: Set<ChildProcess>): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--flows', flows, '--db', db, '--fake', fake, '--admin-token', ADMIN], {
    env: { ...process.env, TEST_FLIPCAUSE_SECRET: SECRET, TEST_MAILERLITE_KEY: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 15_000);
    const lines = createInterface({ input: proc.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve({ proc, url: (JSON.parse(line) as { url: string }).url });
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
}

function killed(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

/** A new-contact record with its own record id and email (names and phones are fictional). */
function contact(n: number): Record<string, unknown> {
  return {
    webhook_record_id: String(900_000 + n),
    webhook_trigger_type: 'new_contact',
    user_id: '638',
    contact_id: `CID638-${2_000_000 + n}`,
    first_name: 'Crash',
    last_name: `Tester${n}`,
    email: `crash.tester.${n}@example.org`,
    created_on: '2026-11-08 15:40:11',
  };
}

test('SIGKILL during intake and processing, restart on the same db: every acknowledged record reaches MailerLite once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-crash-'));
  const flows = join(dir, 'flows');
  mkdirSync(join(flows, 'crash'), { recursive: true });
  writeFileSync(join(flows, 'crash', 'flow.yaml'), flowYaml('crash', 'all_contacts', { new: ['Donors'], unconfirmed: ['Donors'] }));
  const db = join(dir, 'engine.sqlite');
  const fake = await startFakeMailerLite({
    accounts: { [TOKEN]: { groups: ['Newsletter', 'Donors'] } },
    options: { requestsPerMinute: 100_000, importsPerMinute: 100_000 },
  });
  // A slow MailerLite keeps batches in flight, so kills also land between a write and its outcome.
  fake.inject({ path: '/api/batch', delayMs: 40, times: Infinity });
  const children = new Set<ChildProcess>();
  const acked = new Set<number>();
  const sent = new Set<number>();
  let next = 0;
  try {
    for (let round = 0; round < 6; round++) {
      const { proc, url } = await startChild(flows, db, fake.url, children);
      const last = round === 5;
      let sending = true;
      // Flipcause resends what it did not see acknowledged, and sometimes what it did.
      const retry = [...sent].filter((n) => !acked.has(n) || Math.random() < 0.05);
      const sender = (async () => {
        while (sending) {
          const batch = retry.splice(0, 3);
          const size = 1 + Math.floor(Math.random() * 3);
          for (let i = 0; i < size; i++) batch.push(next++);
          batch.forEach((n) => sent.add(n));
          const body = JSON.stringify(batch.map(contact));
          try {
            const res = await fetch(`${url}/hooks/crash`, {
              method: 'POST',
              headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': signBody(body, SECRET) },
              body,
            });
            if (res.status === 200) batch.forEach((n) => acked.add(n));
            else await res.arrayBuffer();
          } catch {
            // The server died mid-request: not acknowledged, resent after the restart.
          }
          if (last && retry.length === 0) sending = false;
          else await new Promise((r) => setTimeout(r, 15));
        }
      })();
      if (!last) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 700));
        await killed(proc, 'SIGKILL');
        sending = false;
        await sender;
        continue;
      }
      await sender;
      // The last server lives: wait (bounded) for it to finish everything.
      const deadline = Date.now() + 15_000;
      let pending = -1;
      while (Date.now() < deadline) {
        const res = await fetch(`${url}/admin/flows`, { headers: { authorization: `Bearer ${ADMIN}` } });
        const flowsView = (await res.json()) as { flows: { flow: string; pending: number }[] };
        pending = flowsView.flows.find((f) => f.flow === 'crash')?.pending ?? -1;
        if (pending === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(pending, 0, 'records still pending after the last restart');
      await killed(proc, 'SIGTERM');
    }

    assert.ok(acked.size > 0, 'some deliveries were acknowledged');
    t.diagnostic(`records sent ${sent.size}, acknowledged ${acked.size}, MailerLite requests ${fake.requests(TOKEN).length}`);
    const store = new Database(db, { readonly: true });
    try {
      assert.equal(store.pragma('integrity_check', { simple: true }), 'ok');
      const rows = store.prepare(`SELECT dedupe_key, status, outcome FROM records WHERE flow = 'crash'`).all() as
        { dedupe_key: string; status: string; outcome: string }[];
      const byKey = new Map(rows.map((r) => [r.dedupe_key, r]));
      assert.equal(byKey.size, rows.length, 'each record stored once');
      for (const n of acked) {
        const row = byKey.get(`new_contact:${900_000 + n}`);
        assert.ok(row, `acknowledged record ${n} is in the store`);
        assert.ok(row.status === 'done' || row.status === 'dead', `record ${n} finished (${row.status})`);
      }
      const counts = new Map<string, number>();
      for (const s of fake.account(TOKEN).subscribers()) counts.set(s.email, (counts.get(s.email) ?? 0) + 1);
      for (const n of acked) {
        const row = byKey.get(`new_contact:${900_000 + n}`)!;
        if (row.status === 'dead') continue;
        assert.equal(counts.get(`crash.tester.${n}@example.org`), 1, `contact ${n} exists exactly once`);
      }
      for (const [email, count] of counts) {
        assert.equal(count, 1, 'no subscriber twice');
        const n = Number(/crash\.tester\.(\d+)@/.exec(email)?.[1]);
        assert.ok(sent.has(n), 'no subscriber the sender never sent');
      }
      assert.equal(rows.filter((r) => r.status === 'dead').length, 0, 'no dead letters from crashes alone');
    } finally {
      store.close();
    }
  } finally {
    for (const c of children) await killed(c, 'SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
