/** Flipcause deliveries built and signed before a load run, and the autocannon requests that send them in turn. */
import type autocannon from 'autocannon';
import { signBody } from '../adapters/flipcause/index.ts';
import { SECRET, syntheticRecord } from './common.ts';

type RequestSpec = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];

export interface SignedBody {
  body: string;
  signature: string;
}

/** `n` deliveries, the i-th holding `recordsIn(i)` new records numbered on from `ids.next`. */
export function signedBodies(n: number, ids: { next: number }, recordsIn: (i: number) => number): SignedBody[] {
  return Array.from({ length: n }, (_, i) => {
    const body = JSON.stringify(Array.from({ length: recordsIn(i) }, () => syntheticRecord(ids.next++)));
    return { body, signature: signBody(body, SECRET) };
  });
}

/** One POST to /hooks/bench per request, cycling through `bodies`. */
export function deliveryRequests(bodies: readonly SignedBody[]): RequestSpec[] {
  let next = 0;
  return [{
    method: 'POST',
    path: '/hooks/bench',
    setupRequest: (req) => {
      const d = bodies[next++ % bodies.length]!;
      return { ...req, body: d.body, headers: { 'content-type': 'application-json', 'x-flipcause-hmac-sha256': d.signature } };
    },
  }];
}
