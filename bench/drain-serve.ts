/**
 * The drain in production form: `engine serve` from the built CLI (`npm run build`) as a child
 * process, real HTTP to the MailerLite fake hosted here, at MailerLite's real minute (the serve
 * command has no time scale, as an operator runs it). The backlog is put into the child's SQLite
 * file before it starts, as intake would have left it; the child's workers drain it on their own.
 *
 * The drain time is what MailerLite sees: from the first request of any account to the answer to
 * the last one (the store is polled to confirm every record finished). Its start-up, before the
 * first request, is reported beside it, not counted.
 *
 * Run alone: npm run build && node --import tsx bench/drain-serve.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeMailerLite } from '../adapters/mailerlite/index.ts';
import { openSqliteStore } from '../engine/store/sqlite.ts';
import { freePort } from '../test/support/free-port.ts';
import { sleep } from './common.ts';
import { fakeAccounts, fastestMs, minimumSlots, readFakeLog, writeBacklog, type DrainResult, type DrainSetup } from './drain-backlog.ts';

export interface ServeDrainResult extends DrainResult {
  /** From the spawn to the first request MailerLite saw, s. */
  startSeconds: number;
}

export async function drainThroughServe(setup: DrainSetup): Promise<ServeDrainResult> {
  if (setup.timeScale !== 1) throw new Error('engine serve runs at MailerLite\'s real minute: timeScale must be 1');
  const dir = mkdtempSync(join(tmpdir(), 'bench-drain-serve-'));
  const windowMs = 60_000;
  const fake = await startFakeMailerLite({
    accounts: fakeAccounts(setup),
    options: { requestsPerMinute: setup.requestsPerMinute, batchCounting: setup.batchCounting, requestLogLimit: 200_000 },
  });
  const file = join(dir, 'engine.sqlite');
  // Opened before the child and kept open: the parent only reads its counts while the child drains.
  const store = openSqliteStore({ file });
  let child: ReturnType<typeof spawn> | undefined;
  const output: string[] = [];
  try {
    const { env } = await writeBacklog(dir, setup, fake.url, store);
    const contacts = setup.accounts * setup.contactsPerAccount;
    const port = await freePort();
    const spawnedAt = Date.now();
    child = spawn(
      process.execPath,
      ['engine/cli/bin.js', 'serve', '--flows', join(dir, 'flows'), '--db', file, '--port', String(port), '--no-watch'],
      { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (d) => {
      output.push(String(d));
      if (output.length > 40) output.shift();
    });
    let exited: string | null = null;
    child.once('exit', (code, signal) => void (exited = String(code ?? signal)));
    let pending = contacts;
    while (pending > 0 && Date.now() - spawnedAt < setup.timeoutMs) {
      if (exited !== null) throw new Error(`engine serve exited (${exited}) during the drain:\n${output.join('')}`);
      await sleep(250);
      pending = (await store.stats()).reduce((n, s) => n + s.pending, 0);
    }
    const stats = await store.stats();
    const outcome = (o: string) => stats.reduce((n, s) => n + ((s.byOutcome as Record<string, number>)[o] ?? 0), 0);
    const seen = readFakeLog(fake, setup);
    const seconds = (seen.lastAnsweredAt - seen.firstAt) / 1000;
    const finished = stats.reduce((n, s) => n + s.done + s.dead, 0);
    return {
      setup, seconds, contacts, finished,
      startSeconds: (seen.firstAt - spawnedAt) / 1000,
      bestSeconds: fastestMs(minimumSlots(setup), setup.requestsPerMinute, windowMs) / 1000,
      created: outcome('created'), updated: outcome('updated'), other: finished - outcome('created') - outcome('updated'),
      requests: seen.requests, tooMany: seen.tooMany, minutes: (seconds * 1000) / windowMs, traces: seen.traces,
    };
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const contacts = Number(process.env.DRAIN_CONTACTS ?? 270);
  const r = await drainThroughServe({ batchCounting: 'per-item', accounts: 4, contactsPerAccount: contacts, requestsPerMinute: 120, timeScale: 1, timeoutMs: 900_000 });
  process.stdout.write(`through engine serve: ${r.seconds.toFixed(1)} s / best ${r.bestSeconds} s = ${((r.bestSeconds / r.seconds) * 100).toFixed(1)}%; start ${r.startSeconds.toFixed(2)} s; 429s ${r.tooMany}; requests ${r.requests}; finished ${r.finished} of ${r.contacts} (created ${r.created}, updated ${r.updated}, other ${r.other})\n`);
}
