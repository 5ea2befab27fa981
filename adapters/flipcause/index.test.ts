import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allErrors, isEngineError } from '../../engine/errors.ts';
import type { FlipcauseSourceConfig } from './config.ts';
import { flipcauseSource } from './index.ts';
import { fixtureBytes } from './fixtures.ts';
import { MIN_TOKEN_LENGTH, signBody } from './index.ts';

const ENV: Record<string, string> = {
  SECRET: 'whsec_test_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  TOKEN: 'tok_q7Lm2Xv9Rz4Tn8Kp1Wb6Yc3Hd5Jf0Gs',
  SHORT: 'tok_short',
  EMPTY: '',
};
const ctx = {
  secret(ref: string): string {
    const m = /^\$\{env:(\w+)\}$/.exec(ref);
    const v = m ? ENV[m[1]!] : undefined;
    if (v === undefined) throw new Error(`unresolvable ${ref}`);
    return v;
  },
};
const config = (over: Partial<FlipcauseSourceConfig>): FlipcauseSourceConfig => ({
  org_id: '638',
  since: '2026-11-01T00:00:00Z',
  triggers: ['new_activity', 'new_transaction'],
  ...over,
});

describe('flipcause source adapter', () => {
  const adapter = flipcauseSource;

  it('is defined by name with its config schema', () => {
    assert.ok(adapter);
    assert.equal(adapter.name, 'flipcause');
    assert.equal((adapter.configSchema as { title?: string }).title, 'Flipcause source');
  });

  it('authenticates, parses and normalises a signed delivery end to end', () => {
    const source = adapter!.create(config({ signing_secret: '${env:SECRET}' }), ctx);
    const body = fixtureBytes('donation-with-opt-in');
    source.authenticate({ headers: { 'content-type': 'application-/json', 'x-flipcause-hmac-sha256': signBody(body, ENV['SECRET']!) }, body });
    const records = source.parse(body);
    assert.equal(records.length, 3);
    const events = records.map((r) => source.normalise(r.raw));
    assert.deepEqual(events.map((e) => e.event.on_list), [false, true, true]);
  });

  it('resolves the secret through the context: a delivery signed with the reference string fails', () => {
    const source = adapter!.create(config({ signing_secret: '${env:SECRET}' }), ctx);
    const body = fixtureBytes('refund');
    assert.throws(
      () => source.authenticate({ headers: { 'x-flipcause-hmac-sha256': signBody(body, '${env:SECRET}') }, body }),
      (err: unknown) => isEngineError(err) && err.code === 'FC_ERR_SIGNATURE_INVALID',
    );
  });

  it("refuses records of another org than the flow's", () => {
    const source = adapter!.create(config({ org_id: '701', url_token: '${env:TOKEN}' }), ctx);
    assert.throws(
      () => source.parse(fixtureBytes('refund')),
      (err: unknown) => isEngineError(err) && err.code === 'FC_ERR_RECORD_WRONG_ORG' && err.status === 403,
    );
  });

  it('accepts the URL token when it is the only factor', () => {
    const source = adapter!.create(config({ url_token: '${env:TOKEN}' }), ctx);
    assert.doesNotThrow(() => source.authenticate({ headers: {}, body: Buffer.from('[]'), token: ENV['TOKEN']! }));
  });

  const CONFIG_ERRORS: { name: string; over: Partial<FlipcauseSourceConfig>; code: string }[] = [
    { name: 'neither secret nor token', over: {}, code: 'FLOW_ERR_AUTH_MISSING' },
    { name: 'a secret that resolves empty', over: { signing_secret: '${env:EMPTY}' }, code: 'FC_ERR_CONFIG_SECRET_EMPTY' },
    { name: 'a token that resolves empty', over: { url_token: '${env:EMPTY}' }, code: 'FC_ERR_CONFIG_SECRET_EMPTY' },
    { name: `a token shorter than ${MIN_TOKEN_LENGTH}`, over: { url_token: '${env:SHORT}' }, code: 'FC_ERR_CONFIG_TOKEN_SHORT' },
  ];
  for (const c of CONFIG_ERRORS) {
    it(`refuses to create a source with ${c.name}`, () => {
      assert.throws(
        () => adapter!.create(config(c.over), ctx),
        (err: unknown) => isEngineError(err) && err.code === c.code,
      );
    });
  }

  it('declares its errors as FC_ERR_… input errors with 4xx statuses, never 415', () => {
    const fc = [...allErrors()].filter(([code]) => code.startsWith('FC_ERR_'));
    assert.ok(fc.length >= 15);
    for (const [code, def] of fc) {
      assert.equal(def.kind, 'input', code);
      if (def.status !== undefined) assert.ok(def.status >= 400 && def.status < 500 && def.status !== 415, code);
    }
  });
});
