/**
 * Times in markup: ISO in UTC, inside <time>, so the page is exact without JavaScript; the
 * console's script shows them in the browser's zone and as "3 min ago".
 */
import { html, type Html } from './html.ts';

export function timeTag(ms: number | null, empty = '—'): Html {
  if (ms === null) return html`<span class="muted">${empty}</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" data-ago>${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

/** A duration in words, for what the page computes itself (the oldest pending record's age). */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
