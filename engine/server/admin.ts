import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Outcome, RecordStatus, Store } from '../store/types.ts';
import type { Fleet } from './fleet.ts';
import { recordView } from './record-view.ts';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function authorised(req: FastifyRequest, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  return timingSafeEqual(digest(given), digest(token));
}

/** The admin API under /admin, behind a bearer token: inspect flows and records, replay. */
export function registerAdmin(app: FastifyInstance, opts: { token: string; store: Store; fleet: Fleet; wake: (flow: string) => void }): void {
  const { store, fleet } = opts;
  app.register(async (admin) => {
    admin.addHook('onRequest', async (req, reply) => {
      if (!authorised(req, opts.token)) return reply.code(401).send({ code: 'ENGINE_ERR_ADMIN_AUTH', message: 'admin API needs a valid bearer token' });
    });
    admin.get('/flows', async () => {
      const stats = new Map(store.stats().map((s) => [s.flow, s]));
      return {
        flows: fleet.all().map((f) => {
          const worker = fleet.workerFor(f.accountKey)?.status();
          return {
            ...(stats.get(f.id) ?? { pending: 0, done: 0, dead: 0, byOutcome: {}, oldestPendingAt: null, lastDeliveryAt: null }),
            flow: f.id, file: f.file, mode: f.policy.mode, account: f.accountKey,
            paused: worker?.paused ?? null, not_ready: worker?.notReady[f.id] ?? null,
          };
        }),
        problems: fleet.problemsReport(),
      };
    });
    admin.get('/records', async (req) => {
      const q = req.query as { flow?: string; status?: RecordStatus; outcome?: Outcome; after?: string; limit?: string };
      const records = store.records({
        flow: q.flow, status: q.status, outcome: q.outcome, afterId: Number(q.after ?? 0), limit: Math.min(Number(q.limit ?? 100), 1000),
      });
      return { records: records.map((r) => recordView(r, false)) };
    });
    admin.get('/records/:id', async (req, reply) => {
      const id = Number((req.params as { id: string }).id);
      const record = store.record(id);
      if (!record) return reply.code(404).send({ code: 'ENGINE_ERR_NO_RECORD', message: `no record ${id}` });
      const pii = (req.query as { pii?: string }).pii === 'true';
      return { record: recordView(record, pii), history: store.history(id) };
    });
    admin.post('/records/:id/replay', async (req, reply) => {
      const id = Number((req.params as { id: string }).id);
      const record = store.record(id);
      if (!record) return reply.code(404).send({ code: 'ENGINE_ERR_NO_RECORD', message: `no record ${id}` });
      const replayed = store.replay([id], Date.now());
      opts.wake(record.flow);
      return { replayed };
    });
    admin.post('/flows/:flow/replay-dead', async (req) => {
      const flow = (req.params as { flow: string }).flow;
      const replayed = store.replay(store.deadIds(flow), Date.now());
      opts.wake(flow);
      return { replayed };
    });
  }, { prefix: '/admin' });
}
