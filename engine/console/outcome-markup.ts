/** Small pieces of markup several pages share: state badges, outcome counts, record links. */
import type { Outcome } from '../store/types.ts';
import { html, type Html } from './html.ts';

const STATE_LABELS: Readonly<Record<string, string>> = {
  ok: 'ok', paused: 'paused', waiting: 'waiting', not_configured: 'not configured', silent: 'silent', not_loaded: 'not loaded',
};

export function badge(kind: string, label = STATE_LABELS[kind] ?? kind): Html {
  return html`<span class="state state-${kind}">${label}</span>`;
}

const OUTCOME_ORDER: readonly Outcome[] = ['created', 'updated', 'skipped', 'failed', 'dead'];

export function outcomeCounts(counts: Partial<Record<Outcome, number>>): Html {
  const shown = OUTCOME_ORDER.filter((o) => (counts[o] ?? 0) > 0);
  if (shown.length === 0) return html`<span class="muted">none</span>`;
  return html`<span class="outcomes">${shown.map((o) => html`<span>${o} <b>${counts[o]}</b></span>`)}</span>`;
}

export function flowHref(flow: string): string {
  return `/ui/flows/${encodeURIComponent(flow)}`;
}

export function recordHref(id: number): string {
  return `/ui/records/${id}`;
}
