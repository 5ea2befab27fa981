/**
 * Errors with stable codes. Each area of the project declares its own table with `defineErrors`
 * (FLOW_ERR_… in engine/flow, FC_ERR_… in the Flipcause adapter, ML_ERR_… in the MailerLite
 * adapter, …); every table is registered here by import side effect, so `allErrors()` is the one
 * table of the whole project (documentation, tests that codes are unique).
 *
 * `kind` is what the worker and the retry layer act on:
 * - retryable: try again later (429, 5xx, timeouts, network)
 * - permanent: will fail the same way every time — dead-letter it with the reason
 * - halting:   the account itself is unusable (401/403) — pause it, do not dead-letter
 * - input:     the request/delivery/file is bad — a 4xx to the sender or a diagnostic
 */
export type ErrorKind = 'retryable' | 'permanent' | 'halting' | 'input';

export interface ErrorDef {
  /** Message template; `{name}` placeholders are filled from the params. */
  message: string;
  kind: ErrorKind;
  /** HTTP status when this error answers a request (4xx for input errors). */
  status?: number;
}

export type ErrorParams = Record<string, string | number | boolean | undefined | null>;

export class EngineError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly status: number;
  readonly params: ErrorParams;

  constructor(code: string, def: ErrorDef, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(fill(def.message, params), options);
    this.name = 'EngineError';
    this.code = code;
    this.kind = def.kind;
    this.status = def.status ?? (def.kind === 'input' ? 400 : 500);
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
  readonly def: ErrorDef;
  /** True when `err` is an EngineError with this code. */
  is(err: unknown): err is EngineError;
};

const registry = new Map<string, ErrorDef>();

/** Declares a table of errors; returns one factory per code. Codes must be unique project-wide. */
export function defineErrors<T extends Record<string, ErrorDef>>(defs: T): { [K in keyof T]: ErrorFactory } {
  const out = {} as { [K in keyof T]: ErrorFactory };
  for (const [code, def] of Object.entries(defs) as [keyof T & string, ErrorDef][]) {
    if (registry.has(code)) throw new Error(`error code ${code} is defined twice`);
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
export function allErrors(): ReadonlyMap<string, ErrorDef> {
  return registry;
}

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}
