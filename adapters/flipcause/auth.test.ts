import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEngineError } from '../../engine/errors.ts';
import type { InboundRequest } from '../../engine/ports/source.ts';
import { type AuthSecrets, authenticate } from './auth.ts';
import { fixtureBytes } from './fixtures.ts';
import { safeEqual, signBody, verifySignature } from './signature.ts';

const SECRET = 'whsec_test_7f3a9c2e1b5d4f60a8e2c9b1d3f5a7c9';
const TOKEN = 'tok_3q9ZkP2mVx8rT1wN6yB4cH7jL0sD5fGa';
const BODY = fixtureBytes('donation-with-opt-in');

describe('signBody / verifySignature', () => {
  it('signs as base64 HMAC-SHA256 of the raw bytes', () => {
    // Reference value computed independently: printf '[]' | openssl dgst -sha256 -hmac key -binary | base64
    assert.equal(signBody('[]', 'key'), 'jPPVhLrEIHDkTySaVQkQvQB30YqcxipUxZxnWEWL8Bo=');
    assert.equal(signBody(Buffer.from('[]'), 'key'), signBody('[]', 'key'));
  });

  it('accepts the correct signature', () => {
    assert.equal(verifySignature(BODY, signBody(BODY, SECRET), SECRET), true);
  });

  it('refuses a tampered body', () => {
    const tampered = Buffer.from(BODY.toString('utf8').replace('"50.00"', '"5000.00"'));
    assert.notDeepEqual(tampered, BODY);
    assert.equal(verifySignature(tampered, signBody(BODY, SECRET), SECRET), false);
  });

  it('refuses the body with a trailing newline added', () => {
    assert.equal(verifySignature(Buffer.concat([BODY, Buffer.from('\n')]), signBody(BODY, SECRET), SECRET), false);
  });

  it('refuses a tampered signature', () => {
    const sig = signBody(BODY, SECRET);
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    assert.equal(verifySignature(BODY, flipped, SECRET), false);
  });

  it('refuses a signature made with another secret', () => {
    assert.equal(verifySignature(BODY, signBody(BODY, 'whsec_other'), SECRET), false);
  });

  it('refuses signatures of the wrong length without throwing', () => {
    const sig = signBody(BODY, SECRET);
    for (const s of ['', 'x', sig.slice(0, -1), sig + 'A', sig.replace(/=+$/, ''), 'a'.repeat(10_000)]) {
      assert.equal(verifySignature(BODY, s, SECRET), false, `signature of length ${s.length}`);
    }
  });

  it('refuses a hex signature of the right digest', () => {
    const hex = Buffer.from(signBody(BODY, SECRET), 'base64').toString('hex');
    assert.equal(verifySignature(BODY, hex, SECRET), false);
  });

  it('refuses a header of the right length in characters but not in bytes, and one differing only past the first byte', () => {
    const good = signBody(BODY, SECRET);
    assert.equal(verifySignature(BODY, `${good.slice(0, -1)}é`, SECRET), false, 'a non-ASCII character');
    assert.equal(verifySignature(BODY, `${good.slice(0, -2)}${good.at(-2) === 'A' ? 'B' : 'A'}${good.at(-1)}`, SECRET), false);
  });

  it('safeEqual compares any lengths', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('', ''), true);
  });
});

const signed = (headers: Record<string, string | string[]>, extra: Partial<InboundRequest> = {}): InboundRequest => ({
  headers,
  body: BODY,
  ...extra,
});
const good = signBody(BODY, SECRET);

interface AuthCase {
  name: string;
  secrets: AuthSecrets;
  req: InboundRequest;
  /** null: accepted. */
  code: string | null;
}

const SIG_ONLY: AuthSecrets = { signingSecret: SECRET };
const TOKEN_ONLY: AuthSecrets = { urlToken: TOKEN };
const BOTH: AuthSecrets = { signingSecret: SECRET, urlToken: TOKEN };

const CASES: AuthCase[] = [
  // Signature only
  { name: 'signature in X-Flipcause-Hmac-SHA256', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': good }), code: null },
  { name: 'signature in X-Vtypeio-Hmac-SHA256', secrets: SIG_ONLY, req: signed({ 'x-vtypeio-hmac-sha256': good }), code: null },
  {
    name: 'any content type, including the malformed ones Flipcause sends',
    secrets: SIG_ONLY,
    req: signed({ 'content-type': 'application-json', 'x-flipcause-hmac-sha256': good }),
    code: null,
  },
  // Issue 12, case 9: a repeated signature header. Every copy must match (see auth.ts).
  { name: 'the good signature in both headers', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': good, 'x-vtypeio-hmac-sha256': good }), code: null },
  {
    name: 'a bad signature in one header and a good one in the other',
    secrets: SIG_ONLY,
    req: signed({ 'x-flipcause-hmac-sha256': 'AAAA', 'x-vtypeio-hmac-sha256': good }),
    code: 'FC_ERR_SIGNATURE_INVALID',
  },
  { name: 'a repeated header: two good copies as an array', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': [good, good] }), code: null },
  { name: 'a repeated header: two good copies joined by Node', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': `${good}, ${good}` }), code: null },
  { name: 'a repeated header: a bad copy, then the good one', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': ['nope', good] }), code: 'FC_ERR_SIGNATURE_INVALID' },
  { name: 'a repeated header: the good copy, then a bad one, joined', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': `${good},AAAA` }), code: 'FC_ERR_SIGNATURE_INVALID' },
  { name: 'a repeated header: the good copy and an empty one', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': `${good}, ` }), code: null },
  { name: 'missing signature header', secrets: SIG_ONLY, req: signed({ 'content-type': 'application/json' }), code: 'FC_ERR_SIGNATURE_MISSING' },
  { name: 'empty signature header', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': '' }), code: 'FC_ERR_SIGNATURE_MISSING' },
  {
    name: 'signature in a header of another name',
    secrets: SIG_ONLY,
    req: signed({ 'x-hub-signature-256': good }),
    code: 'FC_ERR_SIGNATURE_MISSING',
  },
  { name: 'wrong signature', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': signBody('[]', SECRET) }), code: 'FC_ERR_SIGNATURE_INVALID' },
  { name: 'wrong-length signature', secrets: SIG_ONLY, req: signed({ 'x-flipcause-hmac-sha256': 'short' }), code: 'FC_ERR_SIGNATURE_INVALID' },
  {
    name: 'body with a trailing newline added',
    secrets: SIG_ONLY,
    req: signed({ 'x-flipcause-hmac-sha256': good }, { body: Buffer.concat([BODY, Buffer.from('\n')]) }),
    code: 'FC_ERR_SIGNATURE_INVALID',
  },
  {
    name: 'a token on a flow without one',
    secrets: SIG_ONLY,
    req: signed({ 'x-flipcause-hmac-sha256': good }, { token: TOKEN }),
    code: 'FC_ERR_TOKEN_INVALID',
  },

  // Token only
  { name: 'right token', secrets: TOKEN_ONLY, req: signed({}, { token: TOKEN }), code: null },
  { name: 'wrong token', secrets: TOKEN_ONLY, req: signed({}, { token: TOKEN.slice(0, -1) + 'x' }), code: 'FC_ERR_TOKEN_INVALID' },
  { name: 'token of another length', secrets: TOKEN_ONLY, req: signed({}, { token: TOKEN + 'x' }), code: 'FC_ERR_TOKEN_INVALID' },
  { name: 'empty token', secrets: TOKEN_ONLY, req: signed({}, { token: '' }), code: 'FC_ERR_TOKEN_INVALID' },
  { name: 'no token (plain path)', secrets: TOKEN_ONLY, req: signed({}), code: 'FC_ERR_TOKEN_MISSING' },
  {
    name: 'no token even with a signature (no secret to check it against)',
    secrets: TOKEN_ONLY,
    req: signed({ 'x-flipcause-hmac-sha256': good }),
    code: 'FC_ERR_TOKEN_MISSING',
  },

  // Both: the signature is always required; the token too on the token path.
  { name: 'both: signature on the plain path', secrets: BOTH, req: signed({ 'x-flipcause-hmac-sha256': good }), code: null },
  {
    name: 'both: signature and right token on the token path',
    secrets: BOTH,
    req: signed({ 'x-flipcause-hmac-sha256': good }, { token: TOKEN }),
    code: null,
  },
  { name: 'both: right token but no signature', secrets: BOTH, req: signed({}, { token: TOKEN }), code: 'FC_ERR_SIGNATURE_MISSING' },
  {
    name: 'both: right token but bad signature',
    secrets: BOTH,
    req: signed({ 'x-flipcause-hmac-sha256': 'AAAA' }, { token: TOKEN }),
    code: 'FC_ERR_SIGNATURE_INVALID',
  },
  {
    name: 'both: good signature but wrong token',
    secrets: BOTH,
    req: signed({ 'x-flipcause-hmac-sha256': good }, { token: 'x'.repeat(TOKEN.length) }),
    code: 'FC_ERR_TOKEN_INVALID',
  },
  { name: 'both: nothing at all', secrets: BOTH, req: signed({}), code: 'FC_ERR_SIGNATURE_MISSING' },
];

describe('authenticate', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.code ?? 'accepted'}`, () => {
      if (c.code === null) {
        assert.doesNotThrow(() => authenticate(c.req, c.secrets));
        return;
      }
      assert.throws(
        () => authenticate(c.req, c.secrets),
        (err: unknown) => isEngineError(err) && err.code === c.code && err.status === 401 && err.kind === 'input',
      );
    });
  }
});
