/**
 * WAL checkpoints off the event loop. SQLite copies the write-ahead log back into the database
 * file (and fsyncs it) inside whichever commit crosses its threshold: on the intake path that is
 * one delivery's commit in a few dozen, holding the event loop for tens of milliseconds while every
 * delivery in flight waits. Here a thread of its own, with its own connection, checkpoints often
 * (PASSIVE: never blocking a writer or a reader), so the log stays short and commits only append
 * to it. The store's own connection keeps a far higher threshold as a backstop, and goes back to
 * the default if the thread fails.
 */
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** SQLite's default threshold (pages), kept by the store's connection when no thread checkpoints. */
export const INLINE_CHECKPOINT_PAGES = 1000;
/** The backstop while the thread checkpoints: only a thread that fell far behind leaves this much. */
export const BACKSTOP_CHECKPOINT_PAGES = 10_000;

export interface CheckpointReport {
  /** Frames in the log, and those copied into the database file, after the checkpoint. */
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Resolves after the next checkpoint that found frames to copy. */
  nextCheckpoint(): Promise<CheckpointReport>;
  stop(): Promise<void>;
}

// CommonJS run by the thread (eval): no loader needed, whatever runs the main thread.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = FULL');
const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r && r.checkpointed > 0) parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  process.exit(0); // in a thread: ends the thread

});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Checkpoints `file` every `intervalMs` from a thread; `onFailure` runs once if the thread dies
 * (the caller lowers its own threshold back to the default).
 */
export function startCheckpointer(file: string, intervalMs: number, onFailure: (err: Error) => void): Checkpointer {
  const worker = new Worker(THREAD, { eval: true, workerData: { file, driver, intervalMs } });
  // Never keeps the process alive on its own: the store's close stops it.
  worker.unref();
  let waiting: ((r: CheckpointReport) => void)[] = [];
  let stopped = false;
  let alive = true;
  worker.once('exit', () => void (alive = false));
  worker.on('message', (r: CheckpointReport) => {
    const w = waiting;
    waiting = [];
    if (!stopped) worker.unref();
    for (const resolve of w) resolve(r);
  });
  worker.on('error', (err) => {
    if (!stopped) onFailure(err);
  });
  return {
    nextCheckpoint: () => new Promise((resolve) => {
      // Someone waits on the thread: it keeps the process alive meanwhile.
      worker.ref();
      waiting.push(resolve);
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (!alive) return;
      const exited = once(worker, 'exit');
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
