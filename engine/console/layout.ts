/** The page shell every console page shares: head, navigation, logout. */
import { ASSETS } from './assets.ts';
import { CSRF_FIELD } from './csrf.ts';
import { html, type Html } from './html.ts';

// No eval, no inline scripts or styles (the CSP forbids them), and no page snapshots in
// localStorage: a page with a revealed payload must not outlive its tab.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, historyCacheSize: 0,
  refreshOnHistoryMiss: true, selfRequestsOnly: true,
});

export interface PageContext {
  /** Present once logged in: navigation and the logout form. */
  csrf?: string;
  actor?: string;
  nav?: 'fleet' | 'audit' | null;
}

export function page(title: string, body: Html, ctx: PageContext = {}): Html {
  const navLink = (href: string, label: string, key: PageContext['nav']) =>
    html`<a href="${href}"${ctx.nav === key ? html` aria-current="page"` : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${title} · engine console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${ASSETS.uplotCss.url}">
<link rel="stylesheet" href="${ASSETS.css.url}">
<script src="${ASSETS.htmx.url}" defer></script>
<script src="${ASSETS.uplot.url}" defer></script>
<script src="${ASSETS.script.url}" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/ui">engine console</a>
  ${ctx.csrf ? html`<nav>${navLink('/ui', 'Fleet', 'fleet')}${navLink('/ui/audit', 'Audit log', 'audit')}</nav>
  <form class="logout" method="post" action="/ui/logout">
    <input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}">
    <span class="muted">${ctx.actor}</span> <button type="submit">Log out</button>
  </form>` : ''}
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** A readable error or empty page body. */
export function messageBlock(title: string, text: string, link?: { href: string; label: string }): Html {
  return html`<section class="message"><h1>${title}</h1><p>${text}</p>${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}</section>`;
}
