import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EngineError } from '../errors.ts';
import type { Store } from '../store/types.ts';
import { AdminErrors } from './admin-errors.ts';
import { adminRoute, AUDIT_QUERY, FLOW_PARAMS, RECORD_PARAMS, RECORD_QUERY, RECORDS_QUERY, type RecordsQuery } from '../operator/admin-query.ts';
import { tokenId } from '../operator/token-id.ts';
import type { AuditAction, AuditQuery } from '../store/types.ts';
import type { Fleet } from '../runtime/fleet.ts';
import type { ClusterView } from '../store/open-store.ts';
import { recordView } from '../operator/record-view.ts';
import { retryAfterSeconds, type TokenGuesses } from '../operator/token-guesses.ts';
import { sameSecret } from '../operator/same-secret.ts';

function bearerOf(req: FastifyRequest): string {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

/** Answers with a defined error: its status, code and message. */
function refuse(reply: FastifyReply, err: EngineError): FastifyReply {
  return reply.code(err.status).send(err.toJSON());
}

/** The admin API under /admin, behind a bearer token: inspect flows and records, replay. */
export function registerAdmin(app: FastifyInstance, opts: {
  token: string; store: Store; fleet: Fleet; cluster?: ClusterView | null; wake: (flow: string) => void; guesses: TokenGuesses; now: () => number;
}): void {
  const { store, fleet } = opts;
  const actor = tokenId(opts.token);
  app.register(async (admin) => {
    admin.addHook('onRequest', async (req, reply) => {
      const wait = opts.guesses.waitMs(req.ip, opts.now());
      if (wait > 0) return refuse(reply.header('retry-after', retryAfterSeconds(wait)), AdminErrors.ENGINE_ERR_ADMIN_THROTTLED({ seconds: retryAfterSeconds(wait) }));
      if (!sameSecret(opts.token, bearerOf(req))) {
        opts.guesses.refused(req.ip, opts.now());
        return refuse(reply, AdminErrors.ENGINE_ERR_ADMIN_AUTH());
      }
      opts.guesses.accepted(req.ip);
    });
    admin.get('/flows', adminRoute({ querystring: {} }), async () => {
      const [all, cluster] = await Promise.all([store.stats(), opts.cluster?.view() ?? null]);
      const stats = new Map(all.map((s) => [s.flow, s]));
      const counts = (flow: string) => stats.get(flow) ?? { pending: 0, done: 0, dead: 0, byOutcome: {}, oldestPendingAt: null, lastDeliveryAt: null };
      const owners = new Map(cluster?.leases.map((l) => [l.account, l.owner]) ?? []);
      const here = new Set(fleet.all().map((f) => f.id));
      // Instances sharing the store may serve different flow sets (a rolling deploy): the flows
      // only others serve are listed too, so any instance shows the whole fleet.
      const elsewhere = [...new Set(cluster?.instances.flatMap((i) => i.flows) ?? [])].filter((f) => !here.has(f)).sort();
      return {
        flows: [
          ...fleet.all().map((f) => {
            const worker = fleet.workerFor(f.accountKey)?.status();
            return {
              ...counts(f.id),
              flow: f.id, file: f.file, mode: f.policy.mode, account: f.accountKey,
              paused: worker?.paused ?? null, not_ready: worker?.notReady[f.id] ?? null,
              ...(cluster ? { served_here: true, drained_by: owners.get(f.accountKey) ?? null } : {}),
            };
          }),
          ...elsewhere.map((flow) => ({
            ...counts(flow), flow, file: null, mode: null, account: null, paused: null, not_ready: null, served_here: false,
            served_by: cluster!.instances.filter((i) => i.flows.includes(flow)).map((i) => i.id),
          })),
        ],
        problems: fleet.problemsReport(),
        not_configured: fleet.notConfiguredReport(),
        ...(cluster && opts.cluster ? {
          instances: cluster.instances.map((i) => ({
            id: i.id, this: i.id === opts.cluster!.instanceId, flows: i.flows, accounts_drained: i.accounts, seen_at: new Date(i.seenAt).toISOString(),
          })),
        } : {}),
      };
    });
    admin.get('/records', adminRoute({ querystring: RECORDS_QUERY }), async (req) => {
      const q = req.query as RecordsQuery;
      const records = await store.records({ flow: q.flow, status: q.status, outcome: q.outcome, afterId: q.after, limit: q.limit });
      return { records: records.map((r) => recordView(r, false)) };
    });
    admin.get('/records/:id', adminRoute({ params: RECORD_PARAMS, querystring: RECORD_QUERY }), async (req, reply) => {
      const { id } = req.params as { id: number };
      const record = await store.record(id);
      if (!record) return refuse(reply, AdminErrors.ENGINE_ERR_NO_RECORD({ id }));
      const { pii } = req.query as { pii: boolean };
      return { record: recordView(record, pii), history: await store.history(id) };
    });
    admin.post('/records/:id/replay', adminRoute({ params: RECORD_PARAMS, querystring: {} }), async (req, reply) => {
      const { id } = req.params as { id: number };
      const record = await store.record(id);
      if (!record) return refuse(reply, AdminErrors.ENGINE_ERR_NO_RECORD({ id }));
      const replayed = await store.replay([id], Date.now());
      await store.addAudit({ at: Date.now(), actor, action: 'replay', ok: replayed > 0, target: `record ${id}`, detail: { flow: record.flow, replayed, via: 'admin API' } });
      opts.wake(record.flow);
      return { replayed };
    });
    admin.post('/flows/:flow/replay-dead', adminRoute({ params: FLOW_PARAMS, querystring: {} }), async (req) => {
      const flow = (req.params as { flow: string }).flow;
      const replayed = await store.replay(await store.deadIds(flow), Date.now());
      await store.addAudit({ at: Date.now(), actor, action: 'replay', ok: true, target: `flow ${flow}`, detail: { replayed, dead_letters: 'all', via: 'admin API' } });
      opts.wake(flow);
      return { replayed };
    });
    admin.get('/audit', adminRoute({ querystring: AUDIT_QUERY }), async (req) => {
      const q = req.query as { action?: AuditAction; before?: number; limit: number };
      const query: AuditQuery = { limit: q.limit };
      if (q.action) query.action = q.action;
      if (q.before !== undefined) query.beforeId = q.before;
      return { entries: await store.auditLog(query) };
    });
  }, { prefix: '/admin' });
}
