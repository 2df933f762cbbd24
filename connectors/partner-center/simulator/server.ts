/**
 * HTTP surface of the Referrals API simulator: `/v1.0/engagements/referrals` (list with `$filter`,
 * `$orderby`, `$top` <= 100 and `@odata.nextLink`; get; create; JSON Patch with If-Match and 412),
 * bearer tokens checked, injected 429 with Retry-After, errors in the documented
 * `{"error":{"code","message"}}` shape (error-codes.md).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Referral } from '../../../src/ports/referral';
import { FilterError, matches, parseFilter } from './filter';
import { applyPatch, checkStatusPair, PatchError } from './patch';
import type { ReferralState } from './state';

const PREFIX = '/v1.0/engagements/referrals';
/** The Partner Center API's partner profile (a different host in production; one origin here). */
const PROFILE_PATH = '/v1/profiles/mpn';
const MAX_PAGE = 100;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const error = (status: number, code: string, message: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { error: { code, message, target: null } },
});

export interface ServerEnv {
  state: ReferralState;
  origin: () => string;
  isValidToken: (token: string) => boolean;
}

function list(env: ServerEnv, url: URL): Reply {
  const filterText = url.searchParams.get('$filter');
  const orderBy = url.searchParams.get('$orderby') ?? 'createdDateTime asc';
  const top = Number(url.searchParams.get('$top') ?? MAX_PAGE);
  const skip = Number(url.searchParams.get('$skiptoken') ? Buffer.from(url.searchParams.get('$skiptoken') ?? '', 'base64url').toString() : 0);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) return error(400, 'invalidRequest', `$top must be 1..${MAX_PAGE}.`);
  const order = /^(createdDateTime|updatedDateTime)(\s+(asc|desc))?$/.exec(orderBy.trim());
  if (!order) return error(400, 'invalidRequest', `Ordering by '${orderBy}' is not supported.`);
  let clauses;
  try {
    clauses = filterText ? parseFilter(filterText) : [];
  } catch (e) {
    if (e instanceof FilterError) return error(400, 'invalidRequest', e.message);
    throw e;
  }
  const key = order[1] as 'createdDateTime' | 'updatedDateTime';
  const sign = order[3] === 'desc' ? -1 : 1;
  const all = [...env.state.referrals.values()]
    .filter((r) => matches(r, clauses))
    .sort((a, b) => sign * (String(a[key]).localeCompare(String(b[key])) || a.id.localeCompare(b.id)));
  const page = all.slice(skip, skip + top);
  const body: Record<string, unknown> = { '@odata.context': `${env.origin()}/v1.0/$metadata#Referrals`, '@odata.count': page.length, value: page };
  if (skip + top < all.length) {
    const next = new URL(url.toString());
    next.searchParams.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    body['@odata.nextLink'] = `${env.origin()}${next.pathname}${next.search}`;
  }
  return { status: 200, body };
}

function create(env: ServerEnv, body: unknown): Reply {
  const input = body as Partial<Referral> | null;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return error(400, 'invalidRequest', 'The body must be a referral.');
  const missing = (['type', 'customerProfile', 'consent', 'details'] as const).filter((k) => input[k] === undefined || input[k] === null);
  if (missing.length > 0) return error(400, 'invalidRequest', `Missing required properties: ${missing.join(', ')}.`);
  const status = input.status ?? 'Active';
  const substatus = input.substatus ?? 'Accepted';
  try {
    checkStatusPair(status, substatus);
  } catch (e) {
    return error(400, 'invalidRequest', (e as Error).message);
  }
  const at = env.state.stamp();
  const referral: Referral = {
    externalReferenceId: null,
    expirationDateTime: null,
    ...input,
    id: randomUUID(),
    organizationName: env.state.organizationName,
    engagementId: input.engagementId ?? randomUUID(),
    organizationId: env.state.organizationId,
    status,
    substatus,
    direction: 'Outgoing',
    createdDateTime: at,
    acceptedDateTime: at,
  };
  const saved = env.state.save(referral, env.origin());
  return { status: 201, headers: { ETag: String(saved.eTag) }, body: saved };
}

function patch(env: ServerEnv, id: string, req: IncomingMessage, body: unknown): Reply {
  const current = env.state.get(id);
  if (!current) return error(404, 'itemNotFound', `Referral ${id} was not found.`);
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== current.eTag) {
    return error(412, 'preconditionFailed', 'The referral was modified since it was read.');
  }
  let next: Referral;
  try {
    next = applyPatch(current, body);
  } catch (e) {
    if (e instanceof PatchError) return error(400, 'invalidRequest', e.message);
    throw e;
  }
  const saved = env.state.save(next, env.origin());
  const wantsBody = String(req.headers['prefer'] ?? '').includes('return=representation');
  return wantsBody ? { status: 200, headers: { ETag: String(saved.eTag) }, body: saved } : { status: 204, headers: { ETag: String(saved.eTag) } };
}

/**
 * `GET /v1/profiles/mpn?mpnId=` (get-partner-by-mpn-id): the partner's profile, or the documented
 * 404 `{"code":3000,"description":…}`; without mpnId, the signed-in partner's own profile.
 */
function partnerProfile(env: ServerEnv, url: URL): Reply {
  const self = (uri: string) => ({ self: { uri, method: 'GET', headers: [] } });
  const id = url.searchParams.get('mpnId');
  if (id === null) {
    return { status: 200, body: { partnerName: env.state.organizationName, mpnId: '1000001', profileType: 'MpnProfile', links: self('/profiles/mpn'), attributes: { objectType: 'MpnProfile' } } };
  }
  const known = env.state.partners.get(id);
  if (!known) return { status: 404, body: { code: 3000, description: `Partner Organization with partner_id ${id} could not be found`, data: [], source: 'PartnerFD' } };
  return { status: 200, body: { partnerName: known.name, mpnId: id, profileType: 'MpnProfile', links: self(`/profiles/mpn?mpnId=${id}`), attributes: { objectType: 'MpnProfile' } } };
}

export function route(env: ServerEnv, req: IncomingMessage, text: string): Reply {
  const url = new URL(req.url ?? '/', env.origin());
  const isProfile = url.pathname === PROFILE_PATH;
  if (!url.pathname.startsWith(PREFIX) && !isProfile) return error(404, 'itemNotFound', `No resource at ${url.pathname}.`);
  const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''));
  if (!auth?.[1] || !env.isValidToken(auth[1])) return error(401, 'unauthenticated', 'The access token is missing, expired or invalid.');
  const fault = env.state.takeFault();
  if (fault?.kind === 'rate_limit') return error(429, 'tooManyRequests', 'Rate limit exceeded.', { 'Retry-After': String(fault.retryAfterSeconds ?? 1) });
  if (fault?.kind === 'server_error') return error(503, 'serviceNotAvailable', 'The service is not available.');
  if (isProfile) return req.method === 'GET' ? partnerProfile(env, url) : error(405, 'invalidRequest', `${String(req.method)} is not supported here.`);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    return error(400, 'invalidRequest', 'The body is not valid JSON.');
  }
  const rest = url.pathname.slice(PREFIX.length).replace(/^\//, '');
  if (rest === '' && req.method === 'GET') return list(env, url);
  if (rest === '' && req.method === 'POST') return create(env, body);
  const id = decodeURIComponent(rest);
  if (req.method === 'GET') {
    const r = env.state.get(id);
    return r ? { status: 200, headers: { ETag: String(r.eTag) }, body: r } : error(404, 'itemNotFound', `Referral ${id} was not found.`);
  }
  if (req.method === 'PATCH') return patch(env, id, req, body);
  return error(405, 'invalidRequest', `${String(req.method)} is not supported here.`);
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'request-id': randomUUID(), ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  res.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(reply.body));
}
