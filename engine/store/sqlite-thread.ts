/**
 * The serving SQLite store, run in a thread of its own. better-sqlite3 is synchronous: on the
 * event loop, intake's group commit (its INSERTs and the fsync of synchronous=FULL) held every
 * delivery in flight for as long as it took, 80–110 ms at a time on a loaded machine, and so did
 * the worker's claims and outcome transactions. Here one thread owns the connection and runs the
 * calls in the order they are sent; this side posts each call and settles it on the thread's
 * answer, so `ingest` still resolves only once its records are committed (the 200 follows it),
 * and the group commit stays intake's (engine/runtime/intake.ts): one ingest in flight, the
 * deliveries arriving meanwhile gathered for the next.
 *
 * If the thread stops unasked, every call it had not answered rejects (whether it took effect is
 * unknown: a delivery answered 503 is sent again, and its duplicates are absorbed), and a new
 * thread opens the store again for the calls that follow: a server recovers by itself. A thread
 * that keeps dying (more than MAX_RESTARTS times a minute), or a store that can no longer be
 * opened, is not restarted: every call then rejects with an error saying so, which intake answers
 * 503 and /readyz reports, until the server is restarted.
 */
import { Worker } from 'node:worker_threads';
import { decoded, fromWire, type Call, type RecordAsStored, type StoreMethod, type ThreadMessage } from './sqlite-thread-wire.ts';
import { encodedRecord } from './payload-codec.ts';
import type { Store } from './types.ts';

/** Raised on this side: the thread stopped, will not start again, or the store is closed. */
export class StoreThreadError extends Error {
  constructor(readonly code: 'STORE_THREAD_EXITED' | 'STORE_THREAD_FAILED' | 'STORE_CLOSED', message: string) {
    super(message);
    this.name = 'StoreThreadError';
  }
}

/** Restarts allowed within RESTART_WINDOW_MS before the store gives up on its thread. */
export const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/**
 * The thread's entry. From the sources it is the TypeScript file beside this one; the build makes
 * it an entry point of its own and rewrites this URL to it (engine/cli/build.js).
 */
const ENTRY = new URL('./sqlite-thread-entry.ts', import.meta.url);
// From the sources (tests and benches run under tsx), the thread registers tsx's loader itself:
// Node 20 does not pass --import on to worker threads.
const LOADER = ENTRY.pathname.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : null;
// CommonJS evaluated by the thread: loads the loader if any, then the entry.
const BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.loader) (await import(workerData.loader)).register();
  await import(workerData.entry);
})();
`;

export interface ThreadExit {
  /** Why it stopped: the thread's uncaught error, or its exit code; or why it could not reopen. */
  cause: string;
  /** Whether a new thread took over; false: every call fails from now on. */
  restarting: boolean;
  /** When not restarting: the error every call now fails with. */
  error?: Error;
}

export interface ThreadedStoreOptions {
  /** A database file (':memory:' stores stay in-process: a thread's memory is its own). */
  file: string;
  /** Told when the thread stops unasked, and whether it was restarted (the server logs it). */
  onThreadExit?: (exit: ThreadExit) => void;
}

export interface ThreadedSqliteStore extends Store {
  /** Ends the thread as a crash would, without closing anything: what the recovery is tested with. */
  killThread(): Promise<void>;
}

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  /** Calls sent and not answered. */
  pending: Map<number, Pending>;
  /** Settles once the thread has opened the store (or could not). */
  opened: Promise<void>;
  isOpen: boolean;
  exited: Promise<void>;
}

/** Opens `file` in a thread of its own; rejects with the thread's error if it cannot be opened. */
export async function openThreadedSqliteStore(options: ThreadedStoreOptions): Promise<ThreadedSqliteStore> {
  let failure: Error | null = null;
  let closing: Promise<void> | null = null;
  let nextId = 1;
  let deaths: number[] = [];

  function start(restart: boolean): Thread {
    const worker = new Worker(BOOT, { eval: true, workerData: { file: options.file, entry: ENTRY.href, loader: LOADER } });
    const pending = new Map<number, Pending>();
    let opened!: { resolve(): void; reject(err: Error): void };
    let openError: Error | null = null;
    let uncaught: Error | null = null;
    let exited!: () => void;
    const thread: Thread = {
      worker,
      pending,
      opened: new Promise<void>((resolve, reject) => (opened = { resolve, reject })),
      isOpen: false,
      exited: new Promise<void>((resolve) => (exited = resolve)),
    };
    // Opening keeps the process alive; after that only calls waiting for an answer do.
    void thread.opened.then(idle, idle);
    function idle(): void {
      if (pending.size === 0) worker.unref();
    }
    const settle = (id: number, how: (p: Pending) => void): void => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      idle();
      how(p);
    };
    worker.on('message', (m: ThreadMessage) => {
      if (m.kind === 'answer') settle(m.id, (p) => p.resolve(m.value));
      else if (m.kind === 'failed') settle(m.id, (p) => p.reject(fromWire(m.error)));
      else if (m.kind === 'opened') {
        thread.isOpen = true;
        opened.resolve();
      } else openError = fromWire(m.error); // the thread ends next
    });
    worker.on('error', (err) => void (uncaught ??= err));
    worker.once('exit', (code) => {
      exited();
      const cause = uncaught ? `${uncaught.name}: ${uncaught.message}` : `exit code ${code}`;
      if (!thread.isOpen) {
        // Never opened: trying again would fail the same way.
        const err = openError ?? uncaught ?? new StoreThreadError('STORE_THREAD_EXITED', `the store's thread stopped (${cause}) before it opened the store`);
        failure = err;
        opened.reject(err);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
        if (restart) options.onThreadExit?.({ cause: `the store could not be opened again: ${err.message}`, restarting: false, error: err });
        return;
      }
      for (const p of pending.values()) {
        p.reject(new StoreThreadError('STORE_THREAD_EXITED', `the store's thread stopped (${cause}) before answering ${p.method}; whether it took effect is unknown`));
      }
      pending.clear();
      if (closing) return;
      const now = Date.now();
      deaths = [...deaths.filter((at) => now - at < RESTART_WINDOW_MS), now];
      if (deaths.length > MAX_RESTARTS) {
        failure = new StoreThreadError(
          'STORE_THREAD_FAILED',
          `the store's thread stopped ${deaths.length} times within a minute (last: ${cause}); it is not started again: restart the server`,
        );
        options.onThreadExit?.({ cause, restarting: false, error: failure });
        return;
      }
      current = start(true);
      options.onThreadExit?.({ cause, restarting: true });
    });
    return thread;
  }

  let current = start(false);
  await current.opened;

  /** `called`: the Store method the caller called, which errors name (ingest crosses as ingestEncoded). */
  function call(method: StoreMethod | 'close', args: unknown[], called: string = method): Promise<unknown> {
    if (failure) return Promise.reject(failure);
    if (closing && method !== 'close') return Promise.reject(new StoreThreadError('STORE_CLOSED', `the store is closed (${called} called after close)`));
    const thread = current;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      // A value the structured clone refuses throws here: this call fails alone.
      thread.worker.postMessage({ id, method, args } satisfies Call);
      thread.pending.set(id, { method: called, resolve, reject });
      if (thread.pending.size === 1) thread.worker.ref();
    });
  }

  // Each method posts its call; the answer is the thread's, records' payloads parsed on this side.
  const forward = <M extends keyof Store>(method: M & StoreMethod) => ((...args: unknown[]) => call(method, args)) as unknown as Store[M];
  const store: ThreadedSqliteStore = {
    ingest: async (deliveries, now) => call('ingestEncoded', [deliveries.map((records) => records.map(encodedRecord)), now], 'ingest') as ReturnType<Store['ingest']>,
    claim: async (...args) => ((await call('claim', args)) as RecordAsStored[]).map(decoded),
    nextReadyAt: forward('nextReadyAt'),
    finish: forward('finish'),
    retryLater: forward('retryLater'),
    release: forward('release'),
    applyOutcomes: forward('applyOutcomes'),
    createsSent: forward('createsSent'),
    releaseAll: forward('releaseAll'),
    isOnList: forward('isOnList'),
    subjectsOnList: forward('subjectsOnList'),
    markOnList: forward('markOnList'),
    recordEffect: forward('recordEffect'),
    effects: forward('effects'),
    forgetEffect: forward('forgetEffect'),
    stats: forward('stats'),
    records: async (...args) => ((await call('records', args)) as RecordAsStored[]).map(decoded),
    async record(...args) {
      const r = (await call('record', args)) as RecordAsStored | undefined;
      return r && decoded(r);
    },
    history: forward('history'),
    overview: forward('overview'),
    throughput: forward('throughput'),
    coalescedInto: forward('coalescedInto'),
    replay: forward('replay'),
    deadIds: forward('deadIds'),
    purgeRaw: forward('purgeRaw'),
    addAudit: forward('addAudit'),
    auditLog: forward('auditLog'),
    getMeta: forward('getMeta'),
    setMeta: forward('setMeta'),
    close() {
      closing ??= (async () => {
        const thread = current;
        await thread.opened.catch(() => {});
        if (failure) return;
        // The thread runs calls in the order sent: every call in flight is answered before this
        // one, which closes the database (and stops its checkpointing) and ends the thread.
        await call('close', []).catch(() => {});
        // Held until the thread has ended, which follows its answer.
        thread.worker.ref();
        await thread.exited;
      })();
      return closing;
    },
    async killThread() {
      await current.worker.terminate();
    },
  };
  return store;
}
