import type { Expectations, TestCase } from './case-file.ts';
import { ABSENT, subsetDiff, type Difference } from './difference.ts';
import type { Observed } from './observe.ts';

/** Every difference between a case's expectations and what it produced; empty when it passes. */
export function compareCase(tc: TestCase, observed: Observed): Difference[] {
  return [
    ...compareDeliveries(tc, observed),
    ...compareOutcomes(tc.expect, observed),
    ...compareSubscribers(tc.expect, observed),
    ...compareRequests(tc.expect, observed),
  ];
}

function compareDeliveries(tc: TestCase, observed: Observed): Difference[] {
  return tc.deliveries.flatMap((d, i) => subsetDiff(`deliveries[${i}].status`, d.status ?? 200, observed.deliveries[i] ?? ABSENT));
}

function compareOutcomes(expect: Expectations, observed: Observed): Difference[] {
  const out: Difference[] = [];
  for (const e of expect.outcomes ?? []) {
    const matches = observed.outcomes.filter((o) => (e.trigger ? o.key === `${e.trigger}:${e.record}` : o.key.endsWith(`:${e.record}`)));
    const path = `outcomes[${e.trigger ? `${e.trigger}:` : ''}${e.record}]`;
    if (matches.length !== 1) {
      const why = matches.length === 0 ? 'no such record was received' : `${matches.length} records have this id: add trigger`;
      out.push({ path, expected: e.outcome, actual: `(${why})` });
      continue;
    }
    const got = matches[0]!;
    const want: Record<string, unknown> = { outcome: e.outcome };
    if (e.reason !== undefined) want.reason = e.reason;
    if (e.error !== undefined) want.error = e.error;
    const actual = { outcome: got.outcome ?? 'pending', reason: got.reason, error: got.error };
    out.push(...subsetDiff(path, want, actual));
  }
  return out;
}

function compareSubscribers(expect: Expectations, observed: Observed): Difference[] {
  const out: Difference[] = [];
  const byEmail = new Map(observed.subscribers.map((s) => [s.email, s]));
  for (const e of expect.subscribers ?? []) {
    const email = e.email.trim().toLowerCase();
    const path = `subscribers[${email}]`;
    const got = byEmail.get(email);
    if (!got) {
      out.push({ path, expected: e, actual: ABSENT });
      continue;
    }
    const want: Record<string, unknown> = {};
    if (e.status !== undefined) want.status = e.status;
    if (e.groups !== undefined) want.groups = [...e.groups].sort();
    if (e.fields !== undefined) want.fields = e.fields;
    out.push(...subsetDiff(path, want, { ...got, groups: [...got.groups].sort() }));
  }
  if (expect.subscribers !== undefined && !expect.allow_other_subscribers) {
    const listed = new Set(expect.subscribers.map((s) => s.email.trim().toLowerCase()));
    for (const s of observed.subscribers) {
      if (!listed.has(s.email)) out.push({ path: `subscribers[${s.email}]`, expected: ABSENT, actual: { status: s.status, groups: s.groups } });
    }
  }
  return out;
}

function compareRequests(expect: Expectations, observed: Observed): Difference[] {
  if (expect.requests === undefined) return [];
  const out: Difference[] = [];
  const n = Math.max(expect.requests.length, observed.requests.length);
  for (let i = 0; i < n; i++) {
    const e = expect.requests[i];
    const got = observed.requests[i];
    const path = `requests[${i}]`;
    if (!e || !got) {
      out.push({ path, expected: e ?? ABSENT, actual: got ?? ABSENT });
      continue;
    }
    const want: Record<string, unknown> = { method: e.method, path: e.path };
    if (e.body !== undefined) want.body = e.body;
    out.push(...subsetDiff(path, want, got));
  }
  return out;
}
