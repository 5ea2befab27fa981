import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, trusted } from './html.ts';

test('values are escaped in text and attributes; nested html and lists are kept', () => {
  const name = `<script>alert("x")</script> & 'o'`;
  const out = html`<a title="${name}">${name}</a>${[html`<b>${1}</b>`, html`<b>${'<i>'}</b>`]}${null}${undefined}${false}${trusted('<hr>')}`;
  assert.equal(out.text,
    '<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;o&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;o&#39;</a>' +
    '<b>1</b><b>&lt;i&gt;</b><hr>');
});

test('an object that only looks like html is escaped as text', () => {
  assert.equal(html`${{ text: '<b>' }}`.text, '[object Object]');
});
