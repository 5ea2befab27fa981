/**
 * The console's static files: htmx and uPlot straight from their npm packages (no front-end
 * build step), and the console's own stylesheet and script. Read once at load; each is served
 * under a URL holding its content hash, so it can be cached for a year and a new version is a
 * new URL.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Asset {
  name: string;
  url: string;
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);

function asset(name: string, file: string, type: string): Asset {
  const body = readFileSync(file);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { name, url: `/ui/assets/${hash}/${name}`, type, body };
}

const own = (name: string): string => new URL(`./assets/${name}`, import.meta.url).pathname;

export const ASSETS = {
  htmx: asset('htmx.min.js', require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
  uplot: asset('uPlot.iife.min.js', require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'),
  uplotCss: asset('uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'),
  css: asset('console.css', own('console.css'), 'text/css; charset=utf-8'),
  script: asset('console.js', own('console.js'), 'text/javascript; charset=utf-8'),
} as const;

/** An asset by the path after /ui/assets/ (`<hash>/<name>`). */
export function assetAt(path: string): Asset | undefined {
  const url = `/ui/assets/${path}`;
  return Object.values(ASSETS).find((a) => a.url === url);
}

export const ASSET_CACHE = 'public, max-age=31536000, immutable';
