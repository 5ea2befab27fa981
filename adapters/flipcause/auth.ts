/**
 * Who may deliver to a flow. The rule, kept simple on purpose:
 *
 * - signing secret configured → every delivery must carry a valid signature, whichever URL it
 *   came to;
 * - URL token configured → a delivery that came through /hooks/<flow>/<token> must carry the
 *   right token; with no signing secret the token path is the only way in (a delivery without
 *   a token is refused);
 * - a token on a flow that has none configured is refused (an unexpected URL is not ignored).
 *
 * So with both configured, the signature is always required and the token is required as well
 * on the token path: never "either one is enough".
 */
import type { InboundRequest } from '../../engine/ports/source.ts';
import { FcErrors } from './errors.ts';
import { safeEqual, signaturesOf, verifySignature } from './signature.ts';

export interface AuthSecrets {
  /** The resolved signing secret, when the flow has one. */
  signingSecret?: string;
  /** The resolved URL token, when the flow has one. */
  urlToken?: string;
}

/** Throws FC_ERR_SIGNATURE_MISSING / _INVALID or FC_ERR_TOKEN_MISSING / _INVALID (401) unless authentic. */
export function authenticate(req: InboundRequest, secrets: AuthSecrets): void {
  const { signingSecret, urlToken } = secrets;
  if (req.token !== undefined) {
    if (urlToken === undefined || !safeEqual(urlToken, req.token)) throw FcErrors.FC_ERR_TOKEN_INVALID();
  } else if (signingSecret === undefined) {
    throw FcErrors.FC_ERR_TOKEN_MISSING();
  }
  if (signingSecret === undefined) return;
  const signatures = signaturesOf(req.headers);
  if (signatures.length === 0) throw FcErrors.FC_ERR_SIGNATURE_MISSING();
  // Every signature carried must match: Flipcause signs each delivery once, so a copy that does
  // not match was added or altered on the way, and which copy "counts" must not depend on how a
  // proxy orders or joins headers. Two matching copies pass. Every copy is checked (no early
  // exit), so timing does not say which one failed.
  let ok = true;
  for (const s of signatures) ok = verifySignature(req.body, s, signingSecret) && ok;
  if (!ok) throw FcErrors.FC_ERR_SIGNATURE_INVALID();
}
