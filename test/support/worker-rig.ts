/**
 * One account worker driven round by round with its own clock, against the MailerLite fake over
 * loopback and an in-memory store that a test can make fail (a full disk), with its log lines kept.
 */
import { randomUUID } from 'node:crypto';
import '../../adapters/index.ts';
import { flipcauseSource } from '../../adapters/flipcause/index.ts';
import { createClient, startFakeMailerLite, type AccountSeed, type FakeMailerLite } from '../../adapters/mailerlite/index.ts';
import type { Destination } from '../../engine/ports/destination.ts';
import type { FlowConfig } from '../../engine/flow/types.ts';
import { createLogger } from '../../engine/log/logger.ts';
import { compileFlow } from '../../engine/runtime/compile-flow.ts';
import type { CompiledFlow } from '../../engine/pipeline/compiled-flow.ts';
import { toNewRecords } from '../../engine/runtime/intake.ts';
import { openSqliteStore } from '../../engine/store/sqlite.ts';
import type { Store } from '../../engine/store/types.ts';
import { AccountWorker, type WorkerOptions } from '../../engine/worker/account-worker.ts';

export const WORKER_CONFIG: FlowConfig = {
  flow: 'w',
  source: { flipcause: { org_id: '638', signing_secret: '${env:S}', since: '2026-01-01T00:00:00Z', triggers: ['new_activity', 'new_transaction'] } },
  policy: { mode: 'mailing_list', new_status: 'active', groups: { new: ['Newsletter'], existing: ['Newsletter', 'Members', 'Flipcause'] } },
  destination: { mailerlite: { api_key: '${env:K}' } },
  settle_seconds: 0,
};

export interface RigOptions {
  maxAttempts?: number;
  inRequestRetries?: number;
  timeoutMs?: number;
  worker?: Partial<WorkerOptions>;
  /** A MailerLite minute lasts 60 000 × timeScale ms, for the fake and the client alike (default 1). */
  timeScale?: number;
  /** Puts something between the client and the fake (a faulty network): returns the URL the client uses. */
  via?: (fakeUrl: string) => Promise<string>;
}

/** Store methods fail with this while `failing` is set (as SQLite does when the disk is full). */
export class StoreFailure extends Error {
  code = 'SQLITE_FULL';
}

export interface Rig {
  fake: FakeMailerLite;
  /** The worker's destination. */
  client: Destination;
  store: Store;
  worker: AccountWorker;
  clock: { now: number };
  token: string;
  /** While true, every store call fails. */
  failing: { on: boolean; calls: number };
  logs: Record<string, unknown>[];
  ingest(records: Record<string, unknown>[]): Promise<void>;
  close(): Promise<void>;
}

export async function workerRig(seed: AccountSeed, opts: RigOptions = {}): Promise<Rig> {
  const token = `t-${randomUUID()}`;
  const timeScale = opts.timeScale ?? 1;
  const fake = await startFakeMailerLite({ accounts: { [token]: seed }, options: { timeScale } });
  const retry = { retries: opts.inRequestRetries ?? 0, minBackoffMs: 10, maxBackoffMs: 20 };
  const baseUrl = opts.via ? await opts.via(fake.url) : fake.url;
  const client = createClient({ apiKey: token, baseUrl, retry, timeoutMs: opts.timeoutMs ?? 2000, timeScale });
  const base = compileFlow(WORKER_CONFIG, 'w.yaml', { secret: () => 'unused' });
  const flow: CompiledFlow = { ...base, destination: client, accountKey: client.accountKey };
  const real = openSqliteStore({ file: ':memory:' });
  const failing = { on: false, calls: 0 };
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (failing.on && prop !== 'close' && prop !== 'records' && prop !== 'history' && prop !== 'effects') {
          failing.calls++;
          // Refused as a store refuses: the returned Promise rejects.
          return Promise.reject(new StoreFailure('database or disk is full'));
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const logs: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const clock = { now: Date.now() };
  const worker = new AccountWorker(client.accountKey, [flow], store, log, {}, {
    now: () => clock.now,
    probeMs: 60_000,
    backoff: { baseMs: 1000, maxMs: 1000, maxAttempts: opts.maxAttempts ?? 25 },
    ...opts.worker,
  });
  return {
    fake, client, store, worker, clock, token, failing, logs,
    async ingest(records) {
      await real.ingest([toNewRecords(flow, records.map((raw, i) => ({ trigger: String(raw.webhook_trigger_type), recordId: String(i), dedupeKey: `${randomUUID()}`, raw })), clock.now)], clock.now);
    },
    async close() {
      await real.close();
      await fake.close();
    },
  };
}

/** The records of a Mailing List sign-up (an activity and its transaction) for this email. */
export const signup = (email: string): Record<string, unknown>[] =>
  flipcauseSource.testing.fixtureRecords('mailing-list-signup').map((r) => ({ ...r, ...('PD_email' in r ? { PD_email: email } : { email }) }));

/** A sign-up of its own transaction (distinct record and transaction ids), so many can be stored at once. */
export const signupNo = (email: string, n: number): Record<string, unknown>[] =>
  signup(email).map((x) => ({ ...x, ...('id' in x ? { id: `4${n}` } : { webhook_record_id: `3${n}` }), transaction_id: `T44${n}`, AD_transaction_id: `T44${n}` }));
