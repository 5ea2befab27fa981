/**
 * Logging in and out. The login form has its own CSRF token (a short-lived cookie matched by a
 * hidden field), since there is no session yet to hold one. The admin token is compared in
 * constant time; every attempt, refused or not, goes to the audit log (a refused one without any
 * fingerprint of what was typed: a hash of a short guess could be reversed). Wrong tokens are
 * throttled per address, counted together with the admin API's (engine/operator/token-guesses.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleContext } from './context.ts';
import { readCookie, serializeCookie } from './cookies.ts';
import { CSRF_FIELD, csrfMatches, newToken } from './csrf.ts';
import { formFields } from './form-body.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { sameSecret } from '../operator/same-secret.ts';
import { overTls, requireSession, SESSION_COOKIE, sessionOf } from './session-guard.ts';
import { tokenId } from '../operator/token-id.ts';
import { retryAfterSeconds } from '../operator/token-guesses.ts';

const LOGIN_COOKIE = 'engine_login';
const LOGIN_FORM_SECONDS = 600;

/** Where to go after login: only a console path (never another site, never `//host`). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/ui') || next.startsWith('//') || next.includes('\\')) return '/ui';
  return next;
}

function loginPage(reply: FastifyReply, req: FastifyRequest, status: number, next: string, error?: string): FastifyReply {
  const csrf = newToken();
  reply.header('set-cookie', serializeCookie(LOGIN_COOKIE, csrf, { maxAge: LOGIN_FORM_SECONDS, secure: overTls(req), path: '/ui' }));
  const body = html`<section class="login panel">
  <h1>Log in</h1>
  ${error ? html`<p class="alert" role="alert">${error}</p>` : ''}
  <form method="post" action="/ui/login">
    <input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
    <input type="hidden" name="next" value="${next}">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
    <button class="primary" type="submit">Log in</button>
  </form>
  <p class="muted">The token is the server's <code>ENGINE_ADMIN_TOKEN</code>.</p>
</section>`;
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page('Log in', body).text);
}

export function registerLogin(ui: FastifyInstance, ctx: ConsoleContext): void {
  ui.get('/login', async (req, reply) => {
    const next = safeNext((req.query as { next?: string }).next);
    if (ctx.sessions.get(readCookie(req.headers.cookie, SESSION_COOKIE))) return reply.redirect(next, 303);
    return loginPage(reply, req, 200, next);
  });

  ui.post('/login', async (req, reply) => {
    const fields = formFields(req.body);
    const next = safeNext(fields['next']);
    if (!csrfMatches(readCookie(req.headers.cookie, LOGIN_COOKIE) ?? '', fields[CSRF_FIELD])) {
      return loginPage(reply, req, 403, next, 'The login form expired or was not sent from this page; try again.');
    }
    const wait = ctx.guesses.waitMs(req.ip, ctx.now());
    if (wait > 0) {
      reply.header('retry-after', retryAfterSeconds(wait));
      return loginPage(reply, req, 429, next, `Too many wrong tokens from this address: try again in ${Math.ceil(wait / 60_000)} min.`);
    }
    const ok = sameSecret(ctx.token, fields['token']);
    if (ok) ctx.guesses.accepted(req.ip);
    else ctx.guesses.refused(req.ip, ctx.now());
    const actor = ok ? tokenId(ctx.token) : 'unknown';
    await ctx.store.addAudit({ at: ctx.now(), actor, action: 'login', ok, target: null, detail: { ip: req.ip } });
    if (!ok) return loginPage(reply, req, 401, next, 'That is not the admin token.');
    const session = ctx.sessions.create(actor);
    return reply
      .header('set-cookie', [
        serializeCookie(SESSION_COOKIE, session.id, { maxAge: ctx.sessions.cookieMaxAge(), secure: overTls(req), path: '/ui' }),
        serializeCookie(LOGIN_COOKIE, '', { maxAge: 0, secure: overTls(req), path: '/ui' }),
      ])
      .redirect(next, 303);
  });

  ui.post('/logout', { preHandler: requireSession(ctx.sessions) }, async (req, reply) => {
    const session = sessionOf(req);
    ctx.sessions.end(session.id);
    await ctx.store.addAudit({ at: ctx.now(), actor: session.actor, action: 'logout', ok: true, target: null });
    return reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { maxAge: 0, secure: overTls(req), path: '/ui' })).redirect('/ui/login', 303);
  });
}
