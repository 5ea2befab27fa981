/**
 * HTML templating that escapes by default: every value put into `html`…`` is escaped unless it
 * is itself built with `html` (or a list of such). Values only ever go into element text or
 * double-quoted attributes, where escaping these five characters is enough.
 */
const BRAND = Symbol('html');

export interface Html {
  readonly [BRAND]: true;
  readonly text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function isHtml(v: unknown): v is Html {
  return typeof v === 'object' && v !== null && BRAND in v;
}

function piece(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (isHtml(v)) return v.text;
  if (Array.isArray(v)) return v.map(piece).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) text += piece(values[i]) + (strings[i + 1] ?? '');
  return { [BRAND]: true, text };
}

/** Markup from a trusted constant (never from data). */
export function trusted(text: string): Html {
  return { [BRAND]: true, text };
}
