/**
 * Console sessions, kept in memory: a restart logs everyone out, which is acceptable for an
 * operator's console and keeps session secrets out of the store. A session ends after IDLE_MS
 * without a request or MAX_MS after login, whichever comes first.
 */
import { randomBytes } from 'node:crypto';
import { newToken } from './csrf.ts';

export interface Session {
  readonly id: string;
  /** The CSRF token every state-changing request of this session must carry. */
  readonly csrf: string;
  /** Who logged in (the token's fingerprint). */
  readonly actor: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionOptions {
  idleMs: number;
  maxMs: number;
  /** Most live sessions; the least recently used is dropped past it (a login loop cannot grow memory). */
  maxSessions: number;
  now: () => number;
}

export const DEFAULT_SESSION_OPTIONS: SessionOptions = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, maxSessions: 1000, now: Date.now };

export class Sessions {
  // A Map keeps insertion order: re-inserting on use keeps the least recently used first.
  private readonly live = new Map<string, Session>();
  readonly options: SessionOptions;

  constructor(options: Partial<SessionOptions> = {}) {
    this.options = { ...DEFAULT_SESSION_OPTIONS, ...options };
  }

  create(actor: string): Session {
    const now = this.options.now();
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: newToken(), actor, createdAt: now, lastSeenAt: now };
    this.live.set(session.id, session);
    while (this.live.size > this.options.maxSessions) this.live.delete(this.live.keys().next().value!);
    return session;
  }

  /** The live session with this id, marked as used now; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.live.get(id);
    if (!s) return undefined;
    const now = this.options.now();
    if (now - s.lastSeenAt > this.options.idleMs || now - s.createdAt > this.options.maxMs) {
      this.live.delete(id);
      return undefined;
    }
    s.lastSeenAt = now;
    this.live.delete(id);
    this.live.set(id, s);
    return s;
  }

  /** Seconds the cookie should live: the session's absolute limit (idle expiry is checked here). */
  cookieMaxAge(): number {
    return this.options.maxMs / 1000;
  }

  end(id: string): void {
    this.live.delete(id);
  }

  get size(): number {
    return this.live.size;
  }
}
