/**
 * The test helpers over HTTP, under /_fake/ (outside the MailerLite surface, no auth, not
 * logged), for a fake running in another process: the CLI's, the demo's.
 */
import type { FastifyInstance } from 'fastify';
import type { SubscriberStatus } from '../types.ts';
import type { AccountSeed } from './account.ts';
import type { FaultSpec } from './faults.ts';
import type { FakeOptions } from './options.ts';
import type { FakeState } from './state.ts';

export function registerAdminRoutes(app: FastifyInstance, state: FakeState): void {
  app.get('/_fake/requests', async (req) => {
    const token = (req.query as { token?: string }).token;
    return { data: state.log.list(token) };
  });
  app.delete('/_fake/requests', async (_req, reply) => {
    state.log.clear();
    return reply.code(204).send();
  });
  app.post('/_fake/reset', async (_req, reply) => {
    state.reset();
    return reply.code(204).send();
  });
  app.get('/_fake/accounts', async () => ({ data: state.tokens() }));
  app.get('/_fake/accounts/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    if (!state.accountFor(token)) return reply.code(404).send({ message: 'no such account' });
    const view = state.view(token);
    return { data: { groups: view.groups(), fields: view.fields(), subscribers: view.subscribers() } };
  });
  app.put('/_fake/accounts/:token', async (req, reply) => {
    const { token } = req.params as { token: string };
    state.seed(token, (req.body ?? {}) as AccountSeed);
    return reply.code(204).send();
  });
  app.post('/_fake/accounts/:token/status', async (req, reply) => {
    const { token } = req.params as { token: string };
    const { email, status } = (req.body ?? {}) as { email?: string; status?: SubscriberStatus };
    if (typeof email !== 'string' || typeof status !== 'string') return reply.code(400).send({ message: 'email and status are required' });
    try {
      state.setStatus(token, email, status);
    } catch {
      return reply.code(404).send({ message: 'no such account or subscriber' });
    }
    return reply.code(204).send();
  });
  app.post('/_fake/faults', async (req, reply) => {
    const id = state.faults.add((req.body ?? {}) as FaultSpec);
    return reply.code(201).send({ id });
  });
  app.delete('/_fake/faults', async (_req, reply) => {
    state.faults.clear();
    return reply.code(204).send();
  });
  app.patch('/_fake/options', async (req) => {
    state.setOptions((req.body ?? {}) as Partial<FakeOptions>);
    return { data: state.options };
  });
}
