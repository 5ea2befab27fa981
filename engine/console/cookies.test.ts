import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readCookie, serializeCookie } from './cookies.ts';

test('a cookie is HttpOnly and SameSite=Strict, Secure only over TLS', () => {
  assert.equal(serializeCookie('engine_session', 'abc-_9', { maxAge: 1800.5, secure: false, path: '/ui' }),
    'engine_session=abc-_9; Path=/ui; Max-Age=1800; HttpOnly; SameSite=Strict');
  assert.equal(serializeCookie('s', '', { maxAge: 0, secure: true, path: '/ui' }), 's=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict; Secure');
});

test('a value a cookie cannot carry is a bug, refused', () => {
  assert.throws(() => serializeCookie('s', 'a;b', { maxAge: 1, secure: false, path: '/' }), /cookie s has characters/);
});

test('reading a cookie finds it among others, first one wins, absent is undefined', () => {
  assert.equal(readCookie('a=1; engine_session=xyz; b=2', 'engine_session'), 'xyz');
  assert.equal(readCookie('engine_session=one;engine_session=two', 'engine_session'), 'one');
  assert.equal(readCookie('a=1; xengine_session=2', 'engine_session'), undefined);
  assert.equal(readCookie(undefined, 'engine_session'), undefined);
});
