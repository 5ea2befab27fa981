/**
 * The console's security headers (helmet), registered inside the console's own scope so the
 * webhook and metrics routes are left as they are. The CSP allows only the console's own files:
 * no inline script or style, no eval, nothing from elsewhere, no framing.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

export const SECURITY_HEADERS: FastifyHelmetOptions = {
  global: true,
  // Defaults off: helmet's defaults allow inline styles and add upgrade-insecure-requests, which
  // would break a console served over plain HTTP on a private network.
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginEmbedderPolicy: true,
  // HSTS only means something over TLS; sent there by the browser's rules anyway.
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
};
