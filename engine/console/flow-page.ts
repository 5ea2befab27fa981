/**
 * The flow page: its state and queue, the decision table `explain` prints, its throughput,
 * recent records filtered by status and outcome, dead letters with replay one / replay all,
 * reload problems, and the account's rate budget and last 429.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StoredRecord } from '../store/types.ts';
import { adminRoute, FLOW_PARAMS, RECORDS_QUERY } from '../operator/admin-query.ts';
import type { ConsoleContext } from './context.ts';
import { decisionRows, modeTitle } from './decision-rows.ts';
import { fleetInput } from './fleet-input.ts';
import { fleetView, type FleetRow } from './fleet-view.ts';
import { html, type Html } from './html.ts';
import { messageBlock, page } from './layout.ts';
import { badge, flowHref, outcomeCounts, recordHref } from './outcome-markup.ts';
import { REPLAYED } from './record-page.ts';
import { csrfInput, sessionOf } from './session-guard.ts';
import type { Session } from './session.ts';
import { durationText, timeTag } from './time-markup.ts';

const FILTERS = { status: RECORDS_QUERY.status, outcome: RECORDS_QUERY.outcome };
type Filters = { status?: StoredRecord['status']; outcome?: NonNullable<StoredRecord['outcome']> };
const RECENT = 50;
const DEAD_SHOWN = 100;
const FLOW_POLL = 'every 2s';

function filterQuery(f: Filters): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.outcome) q.set('outcome', f.outcome);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function recordRow(r: StoredRecord): Html {
  const state = r.status === 'done' ? (r.outcome ?? 'done') : r.status === 'pending' && r.attempts > 0 ? 'failed' : r.status;
  return html`<tr data-record="${r.id}">
  <td><a href="${recordHref(r.id)}">#${r.id}</a></td>
  <td>${r.trigger}</td>
  <td>${timeTag(r.receivedAt)}</td>
  <td data-status>${badge(state, r.status === 'pending' ? (r.attempts > 0 ? `pending, retry ${r.attempts}` : 'pending') : state)}</td>
  <td>${r.reason ? html`<span class="detail">${r.errorCode ? `${r.errorCode}: ` : ''}${r.reason}</span>` : ''}</td>
  <td>${timeTag(r.finishedAt)}</td>
</tr>`;
}

function deadRow(r: StoredRecord, session: Session): Html {
  return html`<tr data-dead="${r.id}">
  <td><a href="${recordHref(r.id)}">#${r.id}</a></td>
  <td>${r.trigger}</td>
  <td>${timeTag(r.finishedAt)}</td>
  <td><b>${r.errorCode ?? ''}</b> <span class="detail">${r.reason ?? ''}</span></td>
  <td>${r.raw === null
    ? html`<span class="muted">payload purged</span>`
    : html`<form class="inline" method="post" action="/ui/records/${r.id}/replay">${csrfInput(session)}<input type="hidden" name="back" value="flow"><button type="submit">Replay</button></form>`}</td>
</tr>`;
}

function liveSection(flow: string, row: FleetRow, filters: Filters, records: StoredRecord[], dead: StoredRecord[], session: Session, now: number): Html {
  return html`<div id="flow-live" hx-get="${flowHref(flow)}/live${filterQuery(filters)}" hx-trigger="${FLOW_POLL}" hx-swap="outerHTML">
<div class="summary">
  <div class="card"><span class="muted">State</span><b>${badge(row.state)}</b>${row.state === 'ok' ? '' : html`<span class="detail">${row.stateText}</span>`}</div>
  <div class="card"><span class="muted">Pending</span><b data-pending>${row.pending}</b></div>
  <div class="card"><span class="muted">Oldest pending</span><b>${row.oldestPendingAt === null ? '—' : durationText(now - row.oldestPendingAt)}</b></div>
  <div class="card"><span class="muted">Dead letters</span><b>${row.dead}</b></div>
  <div class="card"><span class="muted">Last delivery</span><b>${timeTag(row.lastDeliveryAt, 'never')}</b></div>
  <div class="card"><span class="muted">Last 24 h</span><div>${outcomeCounts(row.recent)}</div></div>
</div>
<h2>Recent records</h2>
${records.length === 0
    ? html`<p class="empty">${filters.status || filters.outcome ? 'No records match these filters.' : 'No records yet: this flow has not received a delivery.'}</p>`
    : html`<table class="records"><thead><tr><th>Record</th><th>Trigger</th><th>Received</th><th>Status</th><th>Reason</th><th>Finished</th></tr></thead>
<tbody>${records.map(recordRow)}</tbody></table>`}
<h2 id="dead">Dead letters</h2>
${dead.length === 0
    ? html`<p class="empty">No dead letters.</p>`
    : html`<form method="post" action="${flowHref(flow)}/replay-dead">${csrfInput(session)}<button class="danger" type="submit">Replay all ${row.dead} dead letters</button></form>
<table class="dead"><thead><tr><th>Record</th><th>Trigger</th><th>Died</th><th>Reason</th><th></th></tr></thead>
<tbody>${dead.map((r) => deadRow(r, session))}</tbody></table>
${row.dead > dead.length ? html`<p class="muted">The oldest ${dead.length} of ${row.dead} are listed.</p>` : ''}`}
</div>`;
}

async function liveData(ctx: ConsoleContext, flow: string, filters: Filters) {
  const input = await fleetInput(ctx);
  const row = fleetView(input).rows.find((r) => r.flow === flow);
  if (!row) return undefined;
  const records = await newestRecords(ctx, flow, filters);
  const dead = await ctx.store.records({ flow, status: 'dead', limit: DEAD_SHOWN });
  return { row, records, dead, now: input.now };
}

async function newestRecords(ctx: ConsoleContext, flow: string, filters: Filters): Promise<StoredRecord[]> {
  return ctx.store.records({ flow, ...filters, newestFirst: true, limit: RECENT });
}

function html200(reply: FastifyReply, body: Html): FastifyReply {
  return reply.type('text/html; charset=utf-8').send(body.text);
}

export function registerFlowPage(ui: FastifyInstance, ctx: ConsoleContext): void {
  // A filter form sends its "any" choice as an empty value: that is no filter, not a bad one.
  const route = {
    ...adminRoute({ params: FLOW_PARAMS, querystring: { ...FILTERS, replayed: REPLAYED } }),
    preValidation: async (req: FastifyRequest) => {
      const q = req.query as Record<string, unknown>;
      for (const k of Object.keys(q)) if (q[k] === '') delete q[k];
    },
  };

  ui.get('/flows/:flow', route, async (req, reply) => {
    const session = sessionOf(req);
    const { flow } = req.params as { flow: string };
    const { status, outcome } = req.query as Filters;
    const filters: Filters = { ...(status ? { status } : {}), ...(outcome ? { outcome } : {}) };
    const data = await liveData(ctx, flow, filters);
    if (!data) return reply.code(404).type('text/html; charset=utf-8').send(page('Not found', messageBlock(`No flow named ${flow}`, 'No flow file serves it and the store holds no records of it.', { href: '/ui', label: 'Back to the fleet' }), { csrf: session.csrf, actor: session.actor, nav: 'fleet' }).text);
    const compiled = ctx.fleet.flow(flow);
    const { replayed } = req.query as { replayed?: number };
    const budget = compiled?.destination.rateBudget?.();
    const last429 = compiled ? ctx.rateLimits.lastAt(compiled.accountKey) : null;
    const body = html`<p class="muted"><a href="/ui">Fleet</a> / ${flow}</p>
<h1>${flow} ${compiled ? html`<span class="muted">· ${modeTitle(compiled.policy)}</span>` : ''}</h1>
${replayed === undefined ? '' : html`<p class="notice" role="status">${replayed} record${replayed === 1 ? '' : 's'} put back in the queue.</p>`}
${data.row.reloadProblems.length > 0 ? html`<section class="alert"><b>The newest version of ${data.row.file} did not load</b>; its last good version keeps running.<ul>${data.row.reloadProblems.map((p) => html`<li>${p}</li>`)}</ul></section>` : ''}
${compiled ? '' : html`<p class="alert">${data.row.state === 'not_configured' ? `Not configured: ${data.row.stateText}` : 'No flow file serves this flow'}. Its stored records are listed below.</p>`}
<form class="filters" method="get" action="${flowHref(flow)}" hx-get="${flowHref(flow)}/live" hx-trigger="change" hx-target="#flow-live" hx-swap="outerHTML">
  <label>Status <select name="status">${option('', 'any', filters.status)}${['pending', 'done', 'dead'].map((s) => option(s, s, filters.status))}</select></label>
  <label>Outcome <select name="outcome">${option('', 'any', filters.outcome)}${['created', 'updated', 'skipped', 'failed', 'dead'].map((o) => option(o, o, filters.outcome))}</select></label>
  <noscript><button type="submit">Filter</button></noscript>
</form>
${liveSection(flow, data.row, filters, data.records, data.dead, session, data.now)}
${compiled ? html`<h2>Decision table</h2>
<p class="muted">New contacts are added as ${compiled.policy.new_status} subscribers. The same rows <code>engine explain ${flow}</code> prints.</p>
<table class="decisions"><thead><tr><th>Flipcause contact</th><th>In MailerLite</th><th>What happens</th><th>Row</th></tr></thead>
<tbody>${decisionRows(compiled.policy).map((r) => html`<tr><td>${r.contact}</td><td>${r.inMailerLite}</td><td>${r.whatHappens}</td><td><code>${r.id}</code></td></tr>`)}</tbody></table>
<h2>MailerLite account</h2>
<dl class="facts panel">
  <dt>Rate budget</dt><dd>${budget ? html`${budget.used} of ${budget.limit} requests used in the last ${Math.round(budget.windowMs / 1000)} s${budget.waiting > 0 ? `, ${budget.waiting} waiting` : ''}${budget.blockedForMs > 0 ? `, paused by MailerLite for ${durationText(budget.blockedForMs)}` : ''}` : html`<span class="muted">not reported by this destination</span>`}</dd>
  <dt>Last 429</dt><dd>${timeTag(last429, 'none since the server started')}</dd>
  <dt>Account</dt><dd><code>${compiled.accountKey}</code> <span class="muted">(a fingerprint, not the key)</span></dd>
</dl>` : ''}
<h2>Records finished per hour, last 24 h</h2>
<section class="panel"><div class="chart" data-throughput="/ui/throughput.json?flow=${encodeURIComponent(flow)}"></div></section>`;
    return html200(reply, page(flow, body, { csrf: session.csrf, actor: session.actor, nav: 'fleet' }));
  });

  ui.get('/flows/:flow/live', route, async (req, reply) => {
    const session = sessionOf(req);
    const { flow } = req.params as { flow: string };
    const filters = req.query as Filters;
    const data = await liveData(ctx, flow, filters);
    if (!data) return reply.code(404).type('text/html; charset=utf-8').send(html`<p class="alert">No flow named ${flow}.</p>`.text);
    return html200(reply, liveSection(flow, data.row, filters, data.records, data.dead, session, data.now));
  });

  ui.post('/flows/:flow/replay-dead', adminRoute({ params: FLOW_PARAMS, querystring: {} }), async (req, reply) => {
    const session = sessionOf(req);
    const { flow } = req.params as { flow: string };
    const replayed = await ctx.store.replay(await ctx.store.deadIds(flow), ctx.now());
    await ctx.store.addAudit({ at: ctx.now(), actor: session.actor, action: 'replay', ok: true, target: `flow ${flow}`, detail: { replayed, dead_letters: 'all' } });
    ctx.wake(flow);
    return reply.redirect(`${flowHref(flow)}?replayed=${replayed}`, 303);
  });
}

function option(value: string, label: string, current: string | undefined): Html {
  return html`<option value="${value}"${(current ?? '') === value ? html` selected` : ''}>${label}</option>`;
}
