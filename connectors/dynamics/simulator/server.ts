/**
 * HTTP glue: routes a request to the admin surface, the identity endpoints or the Web API, and
 * applies injected faults and bearer-token checks in front of the Web API.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAction } from './actions';
import { handleBatch } from './batch';
import { API_PREFIX, CODES, dvError, SimFailure, type SimContext, type SimRequest, type SimResponse } from './context';
import { handleEntities } from './entities';
import { handleMetadata } from './metadata';
import { instanceDiscovery, issueToken, openIdConfiguration, tokenValid, type TokenState } from './token';

export interface ServerEnv {
  ctx: SimContext;
  tokens: TokenState;
  tenantId: string;
  /** http://127.0.0.1:PORT once listening. */
  origin: () => string;
  admin: (method: string, path: string, body: string) => SimResponse;
  window: { remaining(at: number): number };
}

function dispatch(ctx: SimContext, req: SimRequest): SimResponse {
  try {
    if (req.path === '$batch' && req.method === 'POST') return handleBatch(ctx, req, (inner) => dispatch(ctx, inner));
    const res = handleAction(ctx, req) ?? handleMetadata(ctx, req) ?? handleEntities(ctx, req);
    return res ?? dvError(404, CODES.notFound, `Resource not found for the segment '${req.path}'.`);
  } catch (error) {
    if (error instanceof SimFailure) return error.response;
    return dvError(500, CODES.unexpected, error instanceof Error ? error.message : String(error));
  }
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

function send(res: ServerResponse, reply: SimResponse): void {
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}

/** Requests in the current 5-minute service-protection window (6000 allowed per user). */
export function requestWindow(): { remaining(at: number): number } {
  let start = 0;
  let count = 0;
  return {
    remaining(at) {
      if (at - start > 300_000) {
        start = at;
        count = 0;
      }
      count++;
      return Math.max(0, 6000 - count);
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function applyFault(env: ServerEnv, req: IncomingMessage): Promise<SimResponse | 'reset' | 'hang' | 'apply_then_hang' | null> {
  const { ctx } = env;
  const fault = ctx.faults.find((f) => f.times > 0);
  if (!fault) return null;
  fault.times--;
  ctx.faults = ctx.faults.filter((f) => f.times > 0);
  if (fault.kind === 'reset') {
    req.socket.destroy();
    return 'reset';
  }
  if (fault.kind === 'hang' || fault.kind === 'apply_then_hang') return fault.kind;
  if (fault.kind === 'latency') await sleep(fault.latencyMs ?? 50);
  if (fault.kind === 'rate_limit') {
    const msg = 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.';
    return dvError(429, CODES.rateLimitRequests, msg, { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
  }
  if (fault.kind === 'server_error') return dvError(503, CODES.unexpected, 'An unexpected error occurred.');
  return null;
}

function identity(env: ServerEnv, method: string, url: URL, body: string): SimResponse | null {
  const origin = env.origin();
  if (method === 'GET' && url.pathname === '/common/discovery/instance') return instanceDiscovery(origin, url.host);
  const oidc = /^\/([\w.-]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
  if (method === 'GET' && oidc?.[1]) return openIdConfiguration(origin, oidc[1]);
  if (method === 'POST' && url.pathname === `/${env.tenantId}/oauth2/v2.0/token`) {
    env.ctx.stats.tokenRequests++;
    return issueToken(env.tokens, new URLSearchParams(body));
  }
  return null;
}

/** Web API requests each simulator is answering now. */
const inFlight = new WeakMap<SimContext, number>();

async function route(env: ServerEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { ctx } = env;
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', env.origin());
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/__admin/')) return send(res, env.admin(method, url.pathname, body));
  const id = identity(env, method, url, body);
  if (id) return send(res, id);
  if (!url.pathname.startsWith(API_PREFIX)) return send(res, dvError(404, '', 'Not found'));
  ctx.stats.apiRequests++;
  const now = (inFlight.get(ctx) ?? 0) + 1;
  inFlight.set(ctx, now);
  ctx.stats.peakConcurrentRequests = Math.max(ctx.stats.peakConcurrentRequests, now);
  try {
    await answerApi(env, req, res, url, method, body);
  } finally {
    inFlight.set(ctx, (inFlight.get(ctx) ?? 1) - 1);
  }
}

async function answerApi(env: ServerEnv, req: IncomingMessage, res: ServerResponse, url: URL, method: string, body: string): Promise<void> {
  const { ctx } = env;
  const fault = await applyFault(env, req);
  if (fault === 'reset' || fault === 'hang') return;
  if (fault && fault !== 'apply_then_hang') return send(res, fault);
  if (!tokenValid(env.tokens, req.headers.authorization)) {
    const origin = env.origin();
    res.writeHead(401, { 'WWW-Authenticate': `Bearer authorization_uri=${origin}/${env.tenantId}/oauth2/authorize, resource_id=${origin}/` });
    return void res.end();
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const path = decodeURIComponent(url.pathname.slice(API_PREFIX.length));
  const reply = dispatch(ctx, { method, path, query: url.searchParams, headers, body });
  if (fault === 'apply_then_hang') return;
  // Dataverse reports the caller's remaining service-protection budget on each response.
  reply.headers['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(env.window.remaining(ctx.now().getTime()));
  send(res, reply);
}

export function requestListener(env: ServerEnv): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    route(env, req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, dvError(500, CODES.unexpected, error instanceof Error ? error.message : String(error)));
    });
  };
}
