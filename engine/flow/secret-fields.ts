/** Where a flow holds secret references; these must never be literals. */
import type { PathSegment } from './yaml-path.ts';

export const secretFields: readonly (readonly PathSegment[])[] = [
  ['source', 'flipcause', 'signing_secret'],
  ['source', 'flipcause', 'url_token'],
  ['destination', 'mailerlite', 'api_key'],
];

/** Secrets that identify a customer: two flows sharing one is a copy-paste mistake. */
export const customerSecretFields: readonly (readonly PathSegment[])[] = [
  ['source', 'flipcause', 'signing_secret'],
  ['source', 'flipcause', 'url_token'],
];

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}
