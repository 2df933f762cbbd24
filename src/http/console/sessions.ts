/**
 * Console sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie, held in this
 * process's memory with an absolute expiry and its own CSRF token. The admin token itself is
 * never stored in the cookie nor kept after the login compared it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'cosell_console';
export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
  id: string;
  /** Recorded as `console:<name>` on every action. */
  name: string;
  csrf: string;
  expiresAt: number;
  /** One message shown on the next page (the outcome of the last action). */
  flash: { kind: 'ok' | 'error'; text: string } | null;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Constant-time equality of two secrets (hashed first, so lengths do not leak). */
export function sameSecret(expected: string, given: string | undefined): boolean {
  if (expected === '' || given === undefined || given === '') return false;
  return timingSafeEqual(digest(expected), digest(given));
}

export class SessionStore {
  private readonly sessions = new Map<string, ConsoleSession>();

  constructor(
    private readonly now: () => number,
    readonly ttlMs: number = DEFAULT_SESSION_TTL_MS,
  ) {}

  create(name: string): ConsoleSession {
    this.sweep();
    const session: ConsoleSession = { id: randomBytes(32).toString('base64url'), name, csrf: randomBytes(32).toString('base64url'), expiresAt: this.now() + this.ttlMs, flash: null };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of this cookie value, or null (unknown, or expired and then forgotten). */
  get(id: string | undefined): ConsoleSession | null {
    if (id === undefined || id === '') return null;
    const session = this.sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return session;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresAt <= now) this.sessions.delete(id);
  }
}

/** The session cookie's value from a Cookie header (the only cookie the console reads). */
export function sessionCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

/** Set-Cookie for the session: HttpOnly, SameSite=Strict, only sent to /console, with an expiry. */
export function sessionSetCookie(params: { id: string; maxAgeSeconds: number; secure: boolean }): string {
  const parts = [`${SESSION_COOKIE}=${params.id}`, 'Path=/console', `Max-Age=${params.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (params.secure) parts.push('Secure');
  return parts.join('; ');
}
