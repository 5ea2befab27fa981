/** The audit log page: who logged in (or was refused), replayed, revealed PII or reloaded, and when. */
import type { FastifyInstance } from 'fastify';
import type { AuditAction, AuditQuery, StoredAuditEntry } from '../store/types.ts';
import { AUDIT_QUERY, adminRoute } from '../operator/admin-query.ts';
import type { ConsoleContext } from './context.ts';
import { html, type Html } from './html.ts';
import { page } from './layout.ts';
import { badge } from './outcome-markup.ts';
import { sessionOf } from './session-guard.ts';
import { timeTag } from './time-markup.ts';

const PAGE_SIZE = 100;
const ACTIONS: readonly AuditAction[] = ['login', 'logout', 'replay', 'reveal', 'reload'];

function detailText(detail: unknown): string {
  if (detail === undefined || detail === null) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
}

function row(e: StoredAuditEntry): Html {
  return html`<tr data-audit="${e.action}">
  <td>${timeTag(e.at)}</td><td><code>${e.actor}</code></td><td>${e.action}</td>
  <td>${e.ok ? badge('ok', 'ok') : badge('dead', 'refused')}</td><td>${e.target ?? ''}</td><td class="detail">${detailText(e.detail)}</td>
</tr>`;
}

export function registerAuditPage(ui: FastifyInstance, ctx: ConsoleContext): void {
  ui.get('/audit', adminRoute({ querystring: AUDIT_QUERY }), async (req, reply) => {
    const session = sessionOf(req);
    const q = req.query as { action?: AuditAction; before?: number; limit: number };
    const query: AuditQuery = { limit: Math.min(q.limit, PAGE_SIZE) };
    if (q.action) query.action = q.action;
    if (q.before !== undefined) query.beforeId = q.before;
    const entries = await ctx.store.auditLog(query);
    const last = entries.at(-1);
    const older = entries.length === query.limit && last ? `/ui/audit?${new URLSearchParams({ ...(q.action ? { action: q.action } : {}), before: String(last.id) })}` : null;
    const body = html`<h1>Audit log</h1>
<p class="muted">Logins (refused ones too), replays, personal data shown in clear, and flow reloads. Actors are fingerprints of the admin token, never the token.</p>
<p>${[html`<a href="/ui/audit">all</a>`, ...ACTIONS.map((a) => html` · <a href="/ui/audit?action=${a}"${q.action === a ? html` aria-current="page"` : ''}>${a}</a>`)]}</p>
${entries.length === 0
    ? html`<p class="empty">Nothing recorded${q.action ? ` for ${q.action}` : ''} yet.</p>`
    : html`<table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Result</th><th>On</th><th>Detail</th></tr></thead><tbody>${entries.map(row)}</tbody></table>`}
${older ? html`<p><a href="${older}">Older entries</a></p>` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page('Audit log', body, { csrf: session.csrf, actor: session.actor, nav: 'audit' }).text);
  });
}
