/**
 * The operator's console under /ui: login, then the fleet, flow, record and audit pages. Its own
 * scope carries the security headers and an error handler that answers with a readable page.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isEngineError } from '../errors.ts';
import { ASSET_CACHE, assetAt } from './assets.ts';
import type { ConsoleContext } from './context.ts';
import { registerAuditPage } from './audit-page.ts';
import { registerFleetPage } from './fleet-page.ts';
import { registerFlowPage } from './flow-page.ts';
import { messageBlock, page } from './layout.ts';
import { registerLogin } from './login.ts';
import { registerRecordPage } from './record-page.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { requireSession } from './session-guard.ts';

export function registerConsole(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/', async (_req, reply) => reply.redirect('/ui', 302));
  app.register(async (ui) => {
    await ui.register(helmet, SECURITY_HEADERS);
    ui.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
      const status = isEngineError(err) ? err.status : err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      const text = status === 500 ? 'The console hit an internal error; the server log has the details.' : err.message;
      if (status === 500) reply.log.error({ err }, 'console error');
      return reply.code(status).type('text/html; charset=utf-8').send(page('Error', messageBlock(status === 500 ? 'Something went wrong' : 'That request cannot be answered', text, { href: '/ui', label: 'Back to the fleet' })).text);
    });
    ui.setNotFoundHandler((_req, reply) =>
      reply.code(404).type('text/html; charset=utf-8').send(page('Not found', messageBlock('Not found', 'There is no console page at this address.', { href: '/ui', label: 'Back to the fleet' })).text));

    ui.get('/assets/:hash/:name', async (req, reply) => {
      const { hash, name } = req.params as { hash: string; name: string };
      const asset = assetAt(`${hash}/${name}`);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('no such asset');
      return reply.header('cache-control', ASSET_CACHE).type(asset.type).send(asset.body);
    });
    registerLogin(ui, ctx);
    await ui.register(async (authed) => {
      authed.addHook('preHandler', requireSession(ctx.sessions));
      // Pages show the queue as it is now and may show a revealed payload: never cached.
      authed.addHook('onSend', async (_req, reply) => void reply.header('cache-control', 'no-store'));
      registerFleetPage(authed, ctx);
      registerFlowPage(authed, ctx);
      registerRecordPage(authed, ctx);
      registerAuditPage(authed, ctx);
    });
  }, { prefix: '/ui' });
}

/** Without an admin token there is no console: say how to turn it on instead of a bare 404. */
export function registerConsoleOff(app: FastifyInstance): void {
  app.get('/', async (_req, reply) => reply.redirect('/ui', 302));
  const off = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => reply.code(404).type('text/html; charset=utf-8').send(page('Console off',
    messageBlock('The console is off', 'It needs an admin token: start the server with ENGINE_ADMIN_TOKEN set, then log in here with it.')).text);
  app.get('/ui', off);
  app.get('/ui/*', off);
}
