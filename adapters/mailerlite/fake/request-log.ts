/** What the fake was asked and what it answered, per token, for tests to assert on. */
export interface LoggedItem {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

export interface LoggedRequest {
  /** Arrival order across all tokens. */
  seq: number;
  /** Arrival time (ms since the epoch). */
  at: number;
  /** Answer time (ms since the epoch); 0 while the answer is pending. */
  respondedAt: number;
  /** The bearer token presented (null when none). */
  token: string | null;
  method: string;
  /** Path with query string, as requested. */
  path: string;
  body: unknown;
  /** Status answered; 0 while pending. */
  status: number;
  headers: { accept?: string; contentType?: string; xVersion?: string };
  /** For /api/batch: each item and the code it got. */
  items?: LoggedItem[];
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private seq = 0;

  constructor(private readonly limit: () => number) {}

  open(entry: Omit<LoggedRequest, 'seq' | 'respondedAt' | 'status'>): LoggedRequest {
    const full: LoggedRequest = { ...entry, seq: ++this.seq, respondedAt: 0, status: 0 };
    this.entries.push(full);
    const over = this.entries.length - this.limit();
    if (over > 0) this.entries.splice(0, over);
    return full;
  }

  list(token?: string): LoggedRequest[] {
    return this.entries.filter((e) => token === undefined || e.token === token).map((e) => structuredClone(e));
  }

  clear(): void {
    this.entries = [];
  }
}
