/**
 * The record page: facts, the timeline, and the payload with PII masked. The payload is shown
 * in clear only as the answer to an explicit POST (never a GET a link or the history could
 * repeat), and that reveal is written to the audit log first.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StoredRecord } from '../store/types.ts';
import { adminRoute, RECORD_PARAMS } from '../operator/admin-query.ts';
import { recordView } from '../operator/record-view.ts';
import type { ConsoleContext } from './context.ts';
import { decisionRows } from './decision-rows.ts';
import { html, type Html } from './html.ts';
import { messageBlock, page } from './layout.ts';
import { badge, flowHref, recordHref } from './outcome-markup.ts';
import { recordTimeline, type TimelineEntry } from './record-timeline.ts';
import { csrfInput, formOf, sessionOf } from './session-guard.ts';
import type { Session } from './session.ts';
import { timeTag } from './time-markup.ts';

const ROUTE = adminRoute({ params: RECORD_PARAMS, querystring: {} });
/** After a replay the page says how many went back to the queue. */
export const REPLAYED = { schema: { type: 'integer', minimum: 0 }, expects: 'must be a count of replayed records' };
const PAGE_ROUTE = adminRoute({ params: RECORD_PARAMS, querystring: { replayed: REPLAYED } });

function entryMarkup(e: TimelineEntry): Html {
  return html`<li class="${e.tone}">
  <b>${e.title}</b> <span class="muted">${timeTag(e.at)}</span>
  ${e.lines.map((l) => html`<div>${l}</div>`)}
  ${e.rule ? html`<div>decided by policy row <code>${e.rule.id}</code>: ${e.rule.text}</div>` : ''}
  ${e.requests.length > 0 ? html`<div>sent to MailerLite: ${e.requests.map((r) => html`<code>${r}</code> `)}</div>` : ''}
  ${e.links.length > 0 ? html`<div>${e.links.map((l) => html`<a href="${recordHref(l.id)}">${l.label}</a> `)}</div>` : ''}
</li>`;
}

async function statusSection(ctx: ConsoleContext, r: StoredRecord, session: Session): Promise<Html> {
  const history = await ctx.store.history(r.id);
  const coalesced = await ctx.store.coalescedInto(r.id);
  const flow = ctx.fleet.flow(r.flow);
  const entries = recordTimeline(r, history, coalesced, flow ? decisionRows(flow.policy) : null);
  const state = r.status === 'done' ? (r.outcome ?? 'done') : r.status;
  // Refreshes itself while the record is pending; a finished record's section stops polling.
  const poll = r.status === 'pending' ? html` hx-get="${recordHref(r.id)}/status" hx-trigger="every 2s" hx-swap="outerHTML"` : '';
  const canReplay = r.status !== 'pending' && r.raw !== null;
  return html`<section id="record-status"${poll}>
${canReplay ? html`<form method="post" action="${recordHref(r.id)}/replay">${csrfInput(session)}<button type="submit">Replay this record</button></form>` : ''}
<dl class="facts panel">
  <dt>Status</dt><dd data-status>${badge(state)}${r.attempts > 0 ? html` <span class="muted">after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}</span>` : ''}</dd>
  <dt>Flow</dt><dd><a href="${flowHref(r.flow)}">${r.flow}</a></dd>
  <dt>Trigger</dt><dd>${r.trigger}</dd>
  <dt>Dedupe key</dt><dd><code>${r.dedupeKey}</code></dd>
  <dt>Received</dt><dd>${timeTag(r.receivedAt)}</dd>
  <dt>Finished</dt><dd>${timeTag(r.finishedAt, 'not yet')}</dd>
</dl>
<h2>Timeline</h2>
<ol class="timeline">${entries.map(entryMarkup)}</ol>
</section>`;
}

async function recordPage(ctx: ConsoleContext, reply: FastifyReply, session: Session, r: StoredRecord, revealed: boolean, notice?: string): Promise<FastifyReply> {
  const payload = recordView(r, revealed).raw;
  const body = html`<p class="muted"><a href="/ui">Fleet</a> / <a href="${flowHref(r.flow)}">${r.flow}</a> / record ${r.id}</p>
<h1>Record #${r.id}</h1>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${await statusSection(ctx, r, session)}
<h2>Payload</h2>
${payload === null
    ? html`<p class="empty">The payload was purged by retention; the outcome and history are kept.</p>`
    : revealed
      ? html`<p class="alert" role="status">Shown in clear for this page only. This reveal is in the audit log.</p><pre id="payload" data-revealed>${JSON.stringify(payload, null, 2)}</pre>`
      : html`<p class="muted">Names, emails, phones and addresses are masked.</p>
<pre id="payload">${JSON.stringify(payload, null, 2)}</pre>
<form method="post" action="${recordHref(r.id)}/reveal">${csrfInput(session)}<button class="danger" type="submit">Show personal data (audited)</button></form>`}`;
  return reply.type('text/html; charset=utf-8').send(page(`Record ${r.id}`, body, { csrf: session.csrf, actor: session.actor, nav: 'fleet' }).text);
}

function noRecord(reply: FastifyReply, session: Session, id: number): FastifyReply {
  return reply.code(404).type('text/html; charset=utf-8').send(page('Not found',
    messageBlock(`No record ${id}`, 'The store holds no record with this id.', { href: '/ui', label: 'Back to the fleet' }), { csrf: session.csrf, actor: session.actor }).text);
}

export function registerRecordPage(ui: FastifyInstance, ctx: ConsoleContext): void {
  ui.get('/records/:id', PAGE_ROUTE, async (req, reply) => {
    const session = sessionOf(req);
    const { id } = req.params as { id: number };
    const r = await ctx.store.record(id);
    if (!r) return noRecord(reply, session, id);
    const { replayed } = req.query as { replayed?: number };
    const notice = replayed === undefined ? undefined : replayed > 0 ? 'Put back in the queue.' : 'Not replayed: it is already pending or its payload was purged.';
    return recordPage(ctx, reply, session, r, false, notice);
  });

  ui.get('/records/:id/status', ROUTE, async (req, reply) => {
    const { id } = req.params as { id: number };
    const r = await ctx.store.record(id);
    if (!r) return reply.code(404).type('text/html; charset=utf-8').send(html`<p class="alert">No record ${id}.</p>`.text);
    return reply.type('text/html; charset=utf-8').send((await statusSection(ctx, r, sessionOf(req))).text);
  });

  ui.post('/records/:id/reveal', ROUTE, async (req, reply) => {
    const session = sessionOf(req);
    const { id } = req.params as { id: number };
    const r = await ctx.store.record(id);
    if (!r) return noRecord(reply, session, id);
    await ctx.store.addAudit({ at: ctx.now(), actor: session.actor, action: 'reveal', ok: true, target: `record ${id}`, detail: { flow: r.flow } });
    return recordPage(ctx, reply, session, r, true);
  });

  ui.post('/records/:id/replay', ROUTE, async (req, reply) => {
    const session = sessionOf(req);
    const { id } = req.params as { id: number };
    const r = await ctx.store.record(id);
    if (!r) return noRecord(reply, session, id);
    const replayed = await ctx.store.replay([id], ctx.now());
    await ctx.store.addAudit({ at: ctx.now(), actor: session.actor, action: 'replay', ok: replayed > 0, target: `record ${id}`, detail: { flow: r.flow, replayed } });
    ctx.wake(r.flow);
    if (formOf(req)['back'] === 'flow') return reply.redirect(`${flowHref(r.flow)}?replayed=${replayed}`, 303);
    return reply.redirect(`${recordHref(id)}?replayed=${replayed}`, 303);
  });
}
