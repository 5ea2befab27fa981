/**
 * What every console page behind the login checks: a live session (else to the login form), and
 * on every state-changing request the session's CSRF token (else 403). The session and the
 * parsed form are kept per request for the route.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readCookie } from './cookies.ts';
import { CSRF_FIELD, CSRF_HEADER, csrfMatches } from './csrf.ts';
import { formFields } from './form-body.ts';
import { html } from './html.ts';
import { messageBlock, page } from './layout.ts';
import type { Session, Sessions } from './session.ts';

export const SESSION_COOKIE = 'engine_session';

const sessions = new WeakMap<FastifyRequest, Session>();
const forms = new WeakMap<FastifyRequest, Record<string, string>>();

export function sessionOf(req: FastifyRequest): Session {
  const s = sessions.get(req);
  if (!s) throw new Error('a console route behind the login ran without a session');
  return s;
}

export function formOf(req: FastifyRequest): Record<string, string> {
  return forms.get(req) ?? {};
}

/** Secure cookies when the request came over TLS (directly, or through a trusted proxy). */
export function overTls(req: FastifyRequest): boolean {
  return req.protocol === 'https';
}

export function requireSession(store: Sessions) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const session = store.get(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!session) {
      if (req.method === 'GET' && req.headers['hx-request'] !== 'true') {
        return reply.redirect(`/ui/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      // An htmx poll whose session ended: the whole page goes to the login form.
      if (req.headers['hx-request'] === 'true') reply.header('hx-redirect', '/ui/login');
      return reply.code(401).type('text/html; charset=utf-8').send(page('Logged out',
        messageBlock('Your session has ended', 'Log in again to continue; nothing was changed.', { href: '/ui/login', label: 'Log in' })).text);
    }
    sessions.set(req, session);
    if (req.method === 'GET' || req.method === 'HEAD') return undefined;
    const fields = formFields(req.body);
    forms.set(req, fields);
    const header = req.headers[CSRF_HEADER];
    if (!csrfMatches(session.csrf, fields[CSRF_FIELD] ?? (typeof header === 'string' ? header : undefined))) {
      return reply.code(403).type('text/html; charset=utf-8').send(page('Refused',
        messageBlock('Refused: this form is missing its security token', 'The request did not carry this session\'s CSRF token, so nothing was changed. Reload the page and try again.', { href: '/ui', label: 'Back to the fleet' }),
        { csrf: session.csrf, actor: session.actor }).text);
    }
    return undefined;
  };
}

/** The hidden field every console form carries. */
export function csrfInput(session: Session) {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrf}">`;
}
