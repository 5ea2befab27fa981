/**
 * Errors with stable codes. Each area of the project declares its own table with `defineErrors`
 * (FLOW_ERR_… in engine/flow, FC_ERR_… in the Flipcause adapter, ML_ERR_… in the MailerLite
 * adapter, …); every table is registered here by import side effect, so `allErrors()` is the one
 * table of the whole project (documentation, tests that codes are unique).
 *
 * `kind` says what the error is about the request that met it:
 * - retryable: the same request may succeed later (429, 5xx, timeouts, network, a garbled answer)
 * - permanent: the same request will fail the same way every time
 * - halting:   the account itself is unusable (401/403)
 * - input:     the request/delivery/file is bad — a 4xx to the sender or a diagnostic
 *
 * `onFailure` says what happens to a stored record whose processing failed with it (the worker
 * applies it through engine/failure/decide-failure.ts). It defaults by kind — retryable: the
 * durable backoff; halting: pause the account; permanent: dead-letter; input: refused where it is
 * met (a stored record that meets one is dead-lettered) — so a definition states it only where
 * the default is not the truth.
 */
export type ErrorKind = 'retryable' | 'permanent' | 'halting' | 'input';

/**
 * What happens to a record that failed with this error.
 * - retry: reschedule it. `schedule` names a clock in engine/failure/schedules.ts — `backoff`, the
 *   durable exponential one (hours), or `fixed`, a short fixed delay for a second look. `limit`
 *   counts attempts, the first included (default: the schedule's); at the limit the record is
 *   dead-lettered. `refresh: 'directory'` reloads the account's groups and fields first (the
 *   account changed under us). `inRequest`: the client that met it first retries it within the
 *   request (seconds) before the worker sees it — only for answers the server certainly did not
 *   act on, or whose repeat is harmless (default: no).
 * - pause: stop the account's work (records kept, no attempt counted) and probe it until it works.
 * - dead: dead-letter it at once with its code and reason.
 */
export type FailureRule =
  | { action: 'retry'; schedule: 'backoff' | 'fixed'; limit?: number; refresh?: 'directory'; inRequest?: boolean }
  | { action: 'pause' }
  | { action: 'dead' };

const DEFAULT_ON_FAILURE: Readonly<Record<ErrorKind, FailureRule>> = {
  retryable: { action: 'retry', schedule: 'backoff' },
  halting: { action: 'pause' },
  permanent: { action: 'dead' },
  input: { action: 'dead' },
};

export interface ErrorDef {
  /** Message template; `{name}` placeholders are filled from the params. */
  message: string;
  kind: ErrorKind;
  /** HTTP status when this error answers a request (4xx for input errors). */
  status?: number;
  /** What happens to a record that fails with it; absent: the default of its kind. */
  onFailure?: FailureRule;
}

/** A definition with its defaults filled in: what `allErrors()` lists. */
export interface ResolvedErrorDef {
  message: string;
  kind: ErrorKind;
  status: number;
  onFailure: FailureRule;
}

function resolve(def: ErrorDef): ResolvedErrorDef {
  if (def.status !== undefined && def.onFailure !== undefined) return def as ResolvedErrorDef;
  return {
    message: def.message,
    kind: def.kind,
    status: def.status ?? (def.kind === 'input' ? 400 : 500),
    onFailure: def.onFailure ?? DEFAULT_ON_FAILURE[def.kind],
  };
}

export type ErrorParams = Record<string, string | number | boolean | undefined | null>;

export class EngineError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly onFailure: FailureRule;
  readonly params: ErrorParams;

  constructor(code: string, def: ErrorDef, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(fill(def.message, params), options);
    const resolved = resolve(def); // a factory's def is resolved already: this returns it as it is
    this.name = 'EngineError';
    this.code = code;
    this.kind = resolved.kind;
    this.status = resolved.status;
    this.onFailure = resolved.onFailure;
    this.params = params;
  }

  toJSON(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

function fill(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = params[key];
    return v === undefined || v === null ? whole : String(v);
  });
}

export type ErrorFactory = ((params?: ErrorParams, options?: { cause?: unknown }) => EngineError) & {
  readonly code: string;
  readonly def: ResolvedErrorDef;
  /** True when `err` is an EngineError with this code. */
  is(err: unknown): err is EngineError;
};

const registry = new Map<string, ResolvedErrorDef>();

/** Declares a table of errors; returns one factory per code. Codes must be unique project-wide. */
export function defineErrors<T extends Record<string, ErrorDef>>(defs: T): { [K in keyof T]: ErrorFactory } {
  const out = {} as { [K in keyof T]: ErrorFactory };
  for (const [code, given] of Object.entries(defs) as [keyof T & string, ErrorDef][]) {
    if (registry.has(code)) throw new Error(`error code ${code} is defined twice`);
    const def = resolve(given);
    registry.set(code, def);
    const factory = ((params?: ErrorParams, options?: { cause?: unknown }) =>
      new EngineError(code, def, params, options)) as ErrorFactory;
    Object.defineProperties(factory, {
      code: { value: code },
      def: { value: def },
      is: { value: (err: unknown) => err instanceof EngineError && err.code === code },
    });
    out[code] = factory;
  }
  return out;
}

/** Every error code declared so far (tables register when their module loads). */
export function allErrors(): ReadonlyMap<string, ResolvedErrorDef> {
  return registry;
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}
