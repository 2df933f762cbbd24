/**
 * What every console request passes before its handler: a form post must come from the console's
 * own origin; a page or action needs a live session; an action also needs the session's CSRF
 * token. Refusals reveal nothing: the login page (401) for a page, a short text for an action.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret, sessionCookie, type ConsoleSession, type SessionStore } from './sessions';

const sessionOf = new WeakMap<FastifyRequest, ConsoleSession>();

/** The session the guard found for this request (only called from routes behind the guard). */
export function consoleSession(request: FastifyRequest): ConsoleSession {
  const session = sessionOf.get(request);
  if (session === undefined) throw new Error('console route reached without a session');
  return session;
}

/** False when the browser says the request was sent from another site. */
export function sameOrigin(request: FastifyRequest): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

export function formField(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

export function consoleGuard(params: { sessions: SessionStore; loginPage: (reply: FastifyReply, status: number) => Promise<unknown> }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const isPublic = (request.routeOptions.config as { public?: boolean } | undefined)?.public === true;
    const posting = request.method === 'POST';
    if (posting && !sameOrigin(request)) return reply.code(403).type('text/plain').send('cross-site request refused');
    if (isPublic) return undefined;
    const session = params.sessions.get(sessionCookie(request.headers.cookie));
    if (session === null) {
      return posting ? reply.code(401).type('text/plain').send('log in first') : params.loginPage(reply, 401);
    }
    if (posting && !sameSecret(session.csrf, formField(request.body, '_csrf'))) {
      return reply.code(403).type('text/plain').send('missing or wrong form token: reload the page and try again');
    }
    sessionOf.set(request, session);
    return undefined;
  };
}
