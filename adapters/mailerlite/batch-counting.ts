/**
 * Whether MailerLite counts a batch as one request or as one per item is not documented, so each
 * key's rate budget learns it from MailerLite's answers to batches. It starts at 'one' (a batch
 * takes one slot) and switches to 'items' (a batch takes one slot per item) for good once the
 * answers show that items are counted. Pure decision code: the budget feeds it what an answer
 * said and what it had charged; it holds counts only, never a key, an address or a body.
 *
 * Evidence rule, judged on batches whose envelope was answered 200:
 *
 * 1. Decisive: some items came back 429 inside the batch while `x-ratelimit-remaining` (when
 *    sent) is below the batch's item count. The envelope was admitted, so under 'one' its items
 *    could not be refused for the request limit; refused items with no room left for them means
 *    they were being counted. (Remaining at or above the item count means room was left, so a
 *    stray item 429 there says nothing about counting.)
 * 2. Header drop, needing two batches in a row: a batch of at least 3 items, charged one slot,
 *    whose `x-ratelimit-remaining` is lower than the budget's own count (limit − slots held) by
 *    at least max(2, ⌈(items − 1) / 2⌉), i.e. about the items rather than the one slot charged.
 *    The budget's count is conservative (it holds a slot from sending until a window after the
 *    answer), so under 'one' this shortfall is ≤ 0 unless someone else spends the key. Because
 *    another user of the key can also cause a shortfall, one drop is a strike, not a verdict; a
 *    batch of 3 or more whose answer shows no such drop clears the strikes. A second user that
 *    spends half a batch's worth between each of two of our batch answers can still fool it: the
 *    price is throughput (batches charged per item), never 429s.
 *
 * Smaller batches, other statuses and answers without the header are no evidence either way.
 */

/** How a batch is charged to the rate budget. */
export type BatchCost = 'one' | 'items';

/** What one 200 batch answer showed, next to what the budget charged for it. */
export interface BatchObservation {
  /** Items in the batch as sent. */
  items: number;
  /** Slots the budget charged for it. */
  charged: number;
  /** Items answered 429 inside the batch. */
  refusedItems: number;
  /** `x-ratelimit-remaining` on the answer, when sent. */
  remaining?: number;
  /** Slots the budget's own count says are free on the server's limit, this batch included. */
  ours: number;
}

export type Verdict = 'items' | 'strike' | 'one' | 'none';

/** Consecutive header drops that switch a key to 'items'. */
export const HEADER_STRIKES = 2;
/** Smallest batch whose header drop can be told from one other request. */
export const MIN_ITEMS_FOR_HEADER = 3;

export function judgeBatch(o: BatchObservation): Verdict {
  if (o.refusedItems > 0 && (o.remaining === undefined || o.remaining < o.items)) return 'items';
  if (o.remaining === undefined || o.charged !== 1 || o.items < MIN_ITEMS_FOR_HEADER) return 'none';
  const shortfall = o.ours - o.remaining;
  return shortfall >= Math.max(2, Math.ceil((o.items - 1) / 2)) ? 'strike' : 'one';
}

/** The learned batch cost of one key: 'one' until the evidence says items count, then sticky. */
export class BatchCounting {
  private learned: BatchCost = 'one';
  private strikes = 0;

  get cost(): BatchCost {
    return this.learned;
  }

  observe(o: BatchObservation): void {
    if (this.learned === 'items') return;
    switch (judgeBatch(o)) {
      case 'items':
        this.learned = 'items';
        return;
      case 'strike':
        if (++this.strikes >= HEADER_STRIKES) this.learned = 'items';
        return;
      case 'one':
        this.strikes = 0;
        return;
      case 'none':
        return;
    }
  }
}
