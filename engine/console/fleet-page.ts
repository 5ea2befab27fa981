/** The fleet page: every flow's state and queue, refreshed in place, and the fleet's throughput. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleContext } from './context.ts';
import { DAY_MS, fleetInput } from './fleet-input.ts';
import { fleetView, type FleetRow, type FleetView } from './fleet-view.ts';
import { html, type Html } from './html.ts';
import { page } from './layout.ts';
import { badge, flowHref, outcomeCounts } from './outcome-markup.ts';
import { sessionOf } from './session-guard.ts';
import { throughputChart } from './throughput-view.ts';
import { durationText, timeTag } from './time-markup.ts';

const HOUR_MS = 3_600_000;
/** How often the fleet table refreshes itself. */
const FLEET_POLL = 'every 3s';

function row(r: FleetRow, now: number): Html {
  return html`<tr data-flow="${r.flow}">
  <td><a href="${flowHref(r.flow)}">${r.flow}</a>${r.file ? html`<div class="detail">${r.file}</div>` : ''}</td>
  <td>${badge(r.state)}${r.state === 'ok' ? '' : html`<div class="detail">${r.state === 'silent' ? html`since ${timeTag(r.stateSince)}` : r.stateText}${r.state === 'paused' ? html` · since ${timeTag(r.stateSince)}` : ''}</div>`}
    ${r.reloadProblems.length > 0 ? html`<div class="problem">newest file version not loaded: ${r.reloadProblems[0]}${r.reloadProblems.length > 1 ? ` (+${r.reloadProblems.length - 1} more)` : ''}</div>` : ''}</td>
  <td>${timeTag(r.lastDeliveryAt, 'never')}</td>
  <td class="num" data-pending>${r.pending}</td>
  <td>${r.oldestPendingAt === null ? html`<span class="muted">—</span>` : durationText(now - r.oldestPendingAt)}</td>
  <td class="num">${r.dead > 0 ? html`<a href="${flowHref(r.flow)}#dead">${r.dead}</a>` : '0'}</td>
  <td>${outcomeCounts(r.recent)}</td>
</tr>`;
}

/** The part of the page that refreshes itself: the totals and the table. */
export function fleetLive(view: FleetView, now: number): Html {
  const t = view.totals;
  return html`<div id="fleet-live" hx-get="/ui/fleet/live" hx-trigger="${FLEET_POLL}" hx-swap="outerHTML">
<div class="summary">
  <div class="card"><span class="muted">Flows</span><b>${t.flows}</b></div>
  <div class="card"><span class="muted">Pending</span><b data-total-pending>${t.pending}</b></div>
  <div class="card"><span class="muted">Dead letters</span><b>${t.dead}</b></div>
  <div class="card"><span class="muted">Need attention</span><b>${t.attention}</b></div>
</div>
${view.rows.length === 0
    ? html`<p class="empty">No flows yet. Put a flow file under the server's flows folder (see the README's new customer checklist); it appears here once it loads.</p>`
    : html`<table class="fleet">
<thead><tr><th>Flow</th><th>State</th><th>Last delivery</th><th class="num">Pending</th><th>Oldest pending</th><th class="num">Dead letters</th><th>Last 24 h</th></tr></thead>
<tbody>${view.rows.map((r) => row(r, now))}</tbody>
</table>`}
</div>`;
}

export function registerFleetPage(ui: FastifyInstance, ctx: ConsoleContext): void {
  ui.get('/', async (req, reply) => {
    const session = sessionOf(req);
    const input = await fleetInput(ctx);
    const body = html`<h1>Fleet</h1>
<section class="panel"><h2>Records finished per hour, last 24 h</h2><div class="chart" data-throughput="/ui/throughput.json"></div></section>
${fleetLive(fleetView(input), input.now)}`;
    return reply.type('text/html; charset=utf-8').send(page('Fleet', body, { csrf: session.csrf, actor: session.actor, nav: 'fleet' }).text);
  });
  ui.get('/fleet/live', async (_req, reply) => {
    const input = await fleetInput(ctx);
    return reply.type('text/html; charset=utf-8').send(fleetLive(fleetView(input), input.now).text);
  });
  ui.get('/throughput.json', async (req) => {
    const flow = (req.query as { flow?: unknown }).flow;
    const now = ctx.now();
    const buckets = await ctx.store.throughput(now - DAY_MS, HOUR_MS, typeof flow === 'string' && flow !== '' ? flow : undefined);
    return throughputChart(buckets, now, HOUR_MS, 25);
  });
}
