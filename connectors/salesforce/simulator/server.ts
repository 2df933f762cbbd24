/**
 * The HTTP front: reads the request, applies injected faults and latency, checks the bearer
 * token, dispatches to the API routes and adds `Sforce-Limit-Info: api-usage=N/M` (REST API
 * guide, "Limit Info Header").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAllocation } from './allocation';
import type { SimAuth } from './auth';
import type { ApiRoute } from './context';
import type { FaultInjector } from './faults';
import { sfError, type SimRequest, type SimResponse } from './http-util';
import type { SimStore } from './store';

export interface ServerState {
  store: SimStore;
  auth: SimAuth;
  faults: FaultInjector;
  routes: ApiRoute[];
  baseUrl: () => string;
  latencyMs: number;
  allocation: ApiAllocation;
  apiCalls: number;
  callsByKind: Map<string, number>;
  /** API requests being answered now, and the most at once since the stats were reset. */
  inFlight: number;
  peakInFlight: number;
  admin: (req: SimRequest) => SimResponse | Promise<SimResponse>;
}

const API_PATH = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readRequest(req: IncomingMessage): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const rawBody = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://localhost');
  let body: unknown = rawBody;
  if (/^\s*[[{]/.test(rawBody)) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = rawBody;
    }
  }
  return { method: (req.method ?? 'GET').toUpperCase(), path: url.pathname, query: url.searchParams, headers: req.headers, body, rawBody };
}

function send(res: ServerResponse, out: SimResponse, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...extra, ...(out.headers ?? {}) };
  let payload = '';
  if (out.text !== undefined) payload = out.text;
  else if (out.body !== undefined) {
    payload = JSON.stringify(out.body);
    headers['content-type'] = 'application/json;charset=UTF-8';
  }
  res.writeHead(out.status, headers);
  res.end(payload);
}

function kindOf(rest: string): string {
  return rest.split('/')[1] ?? '';
}

async function handleApi(state: ServerState, req: SimRequest, res: ServerResponse, version: string, rest: string): Promise<void> {
  state.inFlight += 1;
  state.peakInFlight = Math.max(state.peakInFlight, state.inFlight);
  try {
    await answerApi(state, req, res, version, rest);
  } finally {
    state.inFlight -= 1;
  }
}

async function answerApi(state: ServerState, req: SimRequest, res: ServerResponse, version: string, rest: string): Promise<void> {
  if (state.latencyMs > 0) await sleep(state.latencyMs);
  for (const action of state.faults.take(req.path)) {
    if (action.kind === 'delay') await sleep(action.ms);
    else if (action.kind === 'hang') return;
    else if (action.kind === 'reset') {
      res.socket?.destroy();
      return;
    } else {
      send(res, action.response);
      return;
    }
  }
  if (!state.auth.isValid(typeof req.headers['authorization'] === 'string' ? req.headers['authorization'] : undefined)) {
    send(res, sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'));
    return;
  }
  if (!state.allocation.take()) {
    send(res, sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    return;
  }
  state.apiCalls += 1;
  const kind = `${req.method} ${kindOf(rest)}`;
  state.callsByKind.set(kind, (state.callsByKind.get(kind) ?? 0) + 1);
  const limitHeader = { 'sforce-limit-info': `api-usage=${state.allocation.used()}/${state.allocation.limit}` };
  for (const route of state.routes) {
    if (route.method !== req.method) continue;
    const m = route.pattern.exec(rest);
    if (!m) continue;
    const out = await route.handle({ store: state.store, version, baseUrl: state.baseUrl() }, req, m);
    send(res, out, limitHeader);
    return;
  }
  send(res, sfError(404, 'NOT_FOUND', 'The requested resource does not exist'), limitHeader);
}

export function createHandler(state: ServerState): (req: IncomingMessage, res: ServerResponse) => void {
  return (rawReq, res) => {
    void (async () => {
      try {
        const req = await readRequest(rawReq);
        if (req.path === '/services/oauth2/token' && req.method === 'POST') {
          send(res, state.auth.token(new URLSearchParams(req.rawBody)));
          return;
        }
        if (req.path.startsWith('/__admin/')) {
          send(res, await state.admin(req));
          return;
        }
        if (req.path.replace(/\/$/, '') === '/services/data' && req.method === 'GET') {
          send(res, { status: 200, body: [{ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' }] });
          return;
        }
        const m = API_PATH.exec(req.path);
        if (m) {
          await handleApi(state, req, res, m[1] ?? '62.0', m[2] ?? '/');
          return;
        }
        send(res, sfError(404, 'NOT_FOUND', 'The requested resource does not exist'));
      } catch (err) {
        if (!res.headersSent) send(res, sfError(500, 'UNKNOWN_EXCEPTION', err instanceof Error ? err.message : 'unexpected error'));
        else res.destroy();
      }
    })();
  };
}

export const limitsRoute: (state: Pick<ServerState, 'allocation'>) => ApiRoute = (state) => ({
  method: 'GET',
  pattern: /^\/limits\/?$/,
  handle: () => ({
    status: 200,
    body: {
      DailyApiRequests: { Max: state.allocation.limit, Remaining: Math.max(0, state.allocation.limit - state.allocation.used()) },
      DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
    },
  }),
});
