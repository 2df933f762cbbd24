/**
 * A Microsoft Graph sendMail endpoint and an Entra ID token endpoint on 127.0.0.1, backed by
 * memory, with an inspectable mailbox: `GET /__admin/mailbox` lists what was sent (and
 * `DELETE /__admin/mailbox` empties it). Fault injection: the next N sendMail calls answer a given
 * status (429/503 with Retry-After, 500 ...). Tokens come from the Dynamics simulator's Entra
 * endpoints, so MSAL's client-credentials flow runs unchanged.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instanceDiscovery, issueToken, openIdConfiguration, tokenValid, type TokenState } from '../../dynamics/simulator/token';
import { checkSendMail, type SentMail } from './send-mail';

export type { SentMail } from './send-mail';

export interface GraphMailSimulatorOptions {
  /** Mailboxes allowed to send (user ids or principal names); default one, `notifications@cosell.example`. */
  mailboxes?: string[];
  tokenLifetimeSeconds?: number;
}

export interface Fault {
  /** The answer; with `delayMs` alone the request is answered normally, late. */
  status?: number;
  /** Wait this long before answering (a slow or hung service). */
  delayMs?: number;
  retryAfterSeconds?: number;
  /** How many sendMail calls answer with this fault; default 1. */
  count?: number;
}

export interface GraphMailSimulator {
  /** Graph root, e.g. http://127.0.0.1:port (the client adds /v1.0). */
  url: string;
  authority: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  sender: string;
  mailbox(): SentMail[];
  clear(): void;
  /** sendMail calls received, failed ones included. */
  requests(): number;
  failNext(fault: Fault): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

const graphError = (code: string, message: string) => ({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID() } } });

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startGraphMailSimulator(options: GraphMailSimulatorOptions = {}): Promise<GraphMailSimulator> {
  const tenantId = 'graph-sim-tenant';
  const client = { clientId: 'graph-sim-client', clientSecret: `graph-sim-${randomUUID()}` };
  const mailboxes = new Set(options.mailboxes ?? ['notifications@cosell.example']);
  const tokens: TokenState = { clients: [client], lifetimeSeconds: options.tokenLifetimeSeconds ?? 3600, issued: new Map(), now: () => new Date() };
  const sent: SentMail[] = [];
  const faults: Fault[] = [];
  let calls = 0;
  let origin = '';

  const sendMail = async (req: IncomingMessage, res: ServerResponse, user: string, raw: string): Promise<void> => {
    calls += 1;
    const fault = faults[0];
    if (fault && (fault.count = (fault.count ?? 1) - 1) <= 0) faults.shift();
    if (fault?.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (res.destroyed) return;
    if (fault?.status !== undefined) {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      const code = fault.status === 429 ? 'ApplicationThrottled' : fault.status === 503 ? 'ServiceUnavailable' : 'generalException';
      return send(res, fault.status, graphError(code, `Injected ${fault.status}.`), headers);
    }
    if (!tokenValid(tokens, req.headers.authorization)) {
      return send(res, 401, graphError('InvalidAuthenticationToken', 'Access token is empty or invalid.'));
    }
    if (!mailboxes.has(user)) return send(res, 404, graphError('ErrorInvalidUser', `The requested user '${user}' is invalid.`));
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, 400, graphError('RequestBodyRead', 'The request body is not valid JSON.'));
    }
    const checked = checkSendMail(body);
    if (!checked.ok) return send(res, 400, graphError(checked.code, checked.message));
    sent.push({ id: randomUUID(), from: user, receivedAt: new Date().toISOString(), ...checked.mail });
    send(res, 202);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      const raw = await readBody(req);
      const parts = url.pathname.split('/').filter(Boolean);
      const route = `${req.method ?? 'GET'} ${url.pathname}`;
      if (route === `POST /${tenantId}/oauth2/v2.0/token`) {
        const r = issueToken(tokens, new URLSearchParams(raw));
        return send(res, r.status, r.body, r.headers);
      }
      if (route === `GET /${tenantId}/v2.0/.well-known/openid-configuration`) {
        const r = openIdConfiguration(origin, tenantId);
        return send(res, r.status, r.body, r.headers);
      }
      if (route === 'GET /common/discovery/instance') {
        const r = instanceDiscovery(origin, url.host);
        return send(res, r.status, r.body, r.headers);
      }
      if (req.method === 'POST' && parts.length === 4 && parts[0] === 'v1.0' && parts[1] === 'users' && parts[3]?.toLowerCase() === 'sendmail') {
        return await sendMail(req, res, decodeURIComponent(parts[2] ?? ''), raw);
      }
      if (route === 'GET /__admin/mailbox') return send(res, 200, { value: sent });
      if (route === 'DELETE /__admin/mailbox') {
        sent.length = 0;
        return send(res, 204);
      }
      send(res, 404, graphError('UnknownUrl', `No route for ${route}.`));
    })().catch((error: unknown) => send(res, 500, graphError('generalException', String(error))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    authority: `${origin}/${tenantId}`,
    tenantId,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    sender: [...mailboxes][0] ?? '',
    mailbox: () => sent.map((m) => ({ ...m })),
    clear: () => void (sent.length = 0),
    requests: () => calls,
    failNext: (fault) => void faults.push({ ...fault }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
