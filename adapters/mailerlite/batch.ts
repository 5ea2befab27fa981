/**
 * /api/batch with per-item results mapped back to their operations. The envelope is retried like
 * any call, except that a batch holding writes is sent again only when MailerLite certainly did not
 * carry it out (429, 408): after a lost answer (reset, timeout, 5xx) its writes may have happened,
 * so the error goes back to the engine, whose next round looks each subscriber up before writing
 * anything again. Inside an answered batch, items whose failure is retried in the request (429,
 * 408, 5xx: their rule says `inRequest`) are sent again — only those — while other item failures
 * are final results. When the retries run out after MailerLite has answered at least once, the
 * unsettled items come back with their last (retryable) answer rather than as a throw, so the
 * caller keeps the effects that did happen; `classify` tells it which items to reschedule.
 */
import { isEngineError, type EngineError } from '../../engine/errors.ts';
import type { ExchangeObserver } from '../../engine/ports/destination.ts';
import { classify, MlErrors } from './errors.ts';
import { isObject } from './decode.ts';
import { exchange, type TransportConfig } from './http.ts';
import { isImport } from './operations.ts';
import type { BatchCost } from './batch-counting.ts';
import type { RateBudget } from './rate-budget.ts';
import { notCarriedOut, retriedInRequest, withRetries, type RetryPolicy } from './retry.ts';
import type { Operation, OperationResult } from './types.ts';

export const BATCH_LIMIT = 50;

export type { BatchCost } from './batch-counting.ts';

export interface BatchDeps {
  transport: TransportConfig;
  budget: RateBudget;
  retry: RetryPolicy;
  /** Given: how every batch is charged. Absent: what the key's budget has learned so far. */
  batchCost?: BatchCost | undefined;
  /** False when the batch only finishes work already started (see RateBudget's `paced`). */
  paced?: boolean;
}

/** `observe` hears of every attempt's exchange (a retried envelope or items as well). */
export async function runBatch(deps: BatchDeps, list: readonly Operation[], observe?: ExchangeObserver): Promise<OperationResult[]> {
  if (list.length === 0) throw MlErrors.ML_ERR_BATCH_EMPTY();
  if (list.length > BATCH_LIMIT) throw MlErrors.ML_ERR_BATCH_TOO_LARGE({ limit: BATCH_LIMIT, count: list.length });

  const settled: (OperationResult | undefined)[] = new Array(list.length).fill(undefined);
  const lastAnswer: (OperationResult | undefined)[] = new Array(list.length).fill(undefined);
  let pending = list.map((_, i) => i);
  let answeredOnce = false;
  // Whether the batch on the wire holds writes, and whether its answer came back item by item.
  let sendingWrites = false;
  let itemsAnswered = false;

  const attempt = async (): Promise<void> => {
    const sending = pending.map((i) => list[i]!);
    sendingWrites = sending.some((op) => op.method !== 'GET');
    itemsAnswered = false;
    // Read on every attempt: items re-sent after a 429 are charged as the key has learned since.
    const charge = deps.batchCost ?? deps.budget.batchCost;
    const lease = await deps.budget.acquire({
      cost: charge === 'items' ? sending.length : 1,
      import: isImport(sending),
      batchItems: sending.length,
      paced: deps.paced !== false,
    });
    let answer;
    try {
      answer = await exchange(deps.transport, {
        method: 'POST',
        path: 'api/batch',
        body: { requests: sending.map(toBatchRequest) },
      }, observe);
    } catch (err) {
      lease.release();
      throw err;
    }
    lease.release(answer, answer.status === 200 ? { refusedItems: refusedItems(answer.body) } : undefined);
    const envelopeError = classify(answer.status, answer.body, retryAfter(answer.retryAfterMs));
    if (envelopeError) throw envelopeError;

    const responses = isObject(answer.body) ? answer.body.responses : undefined;
    if (!Array.isArray(responses) || responses.length !== sending.length) {
      throw MlErrors.ML_ERR_BAD_RESPONSE({ reason: 'batch responses do not match its requests' });
    }
    answeredOnce = true;
    itemsAnswered = true;
    const still: number[] = [];
    let retryable: EngineError | undefined;
    responses.forEach((raw, k) => {
      const index = pending[k]!;
      const item = toResult(raw);
      const err = classify(item.code, item.body);
      if (err?.onFailure.action === 'pause') throw err;
      if (err && retriedInRequest(err)) {
        lastAnswer[index] = item;
        still.push(index);
        retryable = err;
      } else {
        settled[index] = item;
      }
    });
    pending = still;
    if (retryable) throw retryable;
  };

  try {
    await withRetries(deps.retry, deps.budget, attempt, (err) => itemsAnswered || !sendingWrites || notCarriedOut(err));
  } catch (err) {
    if (!(answeredOnce && isEngineError(err) && err.kind === 'retryable')) throw err;
  }
  return settled.map((r, i) => r ?? lastAnswer[i]!);
}

function toBatchRequest(op: Operation): Record<string, unknown> {
  const req: Record<string, unknown> = { method: op.method, path: op.path.replace(/^\/+/, '') };
  if (op.body !== undefined) req.body = op.body;
  return req;
}

function toResult(raw: unknown): OperationResult {
  if (!isObject(raw) || typeof raw.code !== 'number') {
    throw MlErrors.ML_ERR_BAD_RESPONSE({ reason: 'batch item has no numeric code' });
  }
  return { code: raw.code, body: raw.body ?? null };
}

/** Items answered 429 inside a batch answer (0 when the body is not one). */
function refusedItems(body: unknown): number {
  const responses = isObject(body) ? body.responses : undefined;
  if (!Array.isArray(responses)) return 0;
  return responses.filter((r) => isObject(r) && r.code === 429).length;
}

function retryAfter(ms: number | undefined): { retryAfterMs?: number } {
  return ms === undefined ? {} : { retryAfterMs: ms };
}
