/**
 * The serving SQLite store's thread (started by sqlite-thread.ts): opens the store with its own
 * connection, then runs each call it is sent, in the order sent, and answers it. better-sqlite3
 * is synchronous, so a commit and its fsync hold this thread, not the event loop that answers
 * webhooks. In the build this file is an entry point of its own (dist/sqlite-thread-entry.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RecordRow } from './record-row.ts';
import { openSqliteStore } from './sqlite.ts';
import { toWire, asStored, type Call, type ThreadMessage } from './sqlite-thread-wire.ts';
import type { StoredRecord, Store } from './types.ts';

const port = parentPort!;
const post = (m: ThreadMessage): void => port.postMessage(m);

function answer(id: number, value: unknown): void {
  try {
    post({ kind: 'answer', id, value });
  } catch (err) {
    // A value the structured clone refuses: the call fails, the thread goes on.
    post({ kind: 'failed', id, error: toWire(err) });
  }
}

function open(file: string): Store | null {
  try {
    // Records leave this thread only as answers, their payload as stored (decoded on the other side).
    return openSqliteStore({ file, backgroundCheckpoint: true, recordOf: asStored as unknown as (row: RecordRow) => StoredRecord });
  } catch (err) {
    post({ kind: 'open-failed', error: toWire(err) });
    return null;
  }
}

const store = open((workerData as { file: string }).file);
if (store === null) {
  port.close(); // nothing else holds the thread: it ends
} else {
  post({ kind: 'opened' });
  const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  port.on('message', (call: Call) => {
    if (call.method === 'close') {
      // Every call sent before this one has been run: calls run in the order they arrive.
      void store.close().then(
        () => post({ kind: 'answer', id: call.id, value: undefined }),
        (err: unknown) => post({ kind: 'failed', id: call.id, error: toWire(err) }),
      ).finally(() => port.close());
      return;
    }
    const method = methods[call.method];
    if (typeof method !== 'function') {
      post({ kind: 'failed', id: call.id, error: toWire(new TypeError(`the store has no method ${String(call.method)}`)) });
      return;
    }
    // Each method does its SQLite work when called (synchronously), so calls run in order.
    method.apply(store, call.args).then(
      (value) => answer(call.id, value),
      (err: unknown) => post({ kind: 'failed', id: call.id, error: toWire(err) }),
    );
  });
}
