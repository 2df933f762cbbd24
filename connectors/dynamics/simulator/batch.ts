/**
 * `$batch` (Dataverse "Execute batch operations using the Web API"): parts run in order through the
 * same handlers as direct requests; a changeset is atomic; without `Prefer: odata.continue-on-error`
 * processing stops at the first failure and the whole reply is a 400.
 */
import { randomUUID } from 'node:crypto';
import { boundaryOf, buildMultipart, httpPart, parseHttpMessage, splitMultipart, type MultipartPart } from '../multipart';
import { API_PREFIX, CODES, dvError, parsePrefer, type SimContext, type SimRequest, type SimResponse } from './context';

export type Dispatch = (req: SimRequest) => SimResponse;

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  500: 'Internal Server Error',
};

class ChangesetFailed extends Error {
  constructor(readonly response: SimResponse, readonly contentId: string | undefined) {
    super('changeset failed');
  }
}

function toSimRequest(part: MultipartPart, refs: Map<string, string>): SimRequest {
  const message = parseHttpMessage(part.body);
  const [method = 'GET', target = ''] = message.startLine.split(' ');
  let url = target.replace(/^https?:\/\/[^/]+/, '');
  const ref = /^\$(\d+)/.exec(url);
  if (ref?.[1]) {
    const location = refs.get(ref[1]);
    if (location === undefined) throw new Error(`Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
    url = location.replace(/^https?:\/\/[^/]+/, '') + url.slice(ref[0].length);
  }
  if (url.startsWith(API_PREFIX)) url = url.slice(API_PREFIX.length);
  else if (url.startsWith(API_PREFIX.slice(0, -1))) url = url.slice(API_PREFIX.length - 1);
  const q = url.indexOf('?');
  return {
    method: method.toUpperCase(),
    path: decodeURIComponent(q < 0 ? url : url.slice(0, q)),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
    headers: message.headers,
    body: message.body,
  };
}

function responsePart(res: SimResponse, contentId: string | undefined): MultipartPart {
  const headers: Record<string, string> = { ...res.headers };
  return httpPart({ startLine: `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? 'Status'}`, headers, body: res.body }, contentId);
}

function runOne(dispatch: Dispatch, part: MultipartPart, refs: Map<string, string>): SimResponse {
  try {
    return dispatch(toSimRequest(part, refs));
  } catch (error) {
    return dvError(400, CODES.invalidArgument, error instanceof Error ? error.message : String(error));
  }
}

export function handleBatch(ctx: SimContext, req: SimRequest, dispatch: Dispatch): SimResponse {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) return dvError(400, CODES.invalidArgument, 'The batch request must have a multipart/mixed Content-Type with a boundary.');
  ctx.stats.batchRequests++;
  const continueOnError = parsePrefer(req.headers.prefer).continueOnError;
  const parts = splitMultipart(req.body, boundary);
  const refs = new Map<string, string>();
  const out: MultipartPart[] = [];
  let failed = false;
  if (parts.length > 1000) return dvError(400, CODES.invalidArgument, 'The number of requests in a batch cannot exceed 1000.');
  for (const part of parts) {
    const inner = boundaryOf(part.headers['content-type']);
    if (inner && /multipart\/mixed/i.test(part.headers['content-type'] ?? '')) {
      const result = runChangeset(ctx, splitMultipart(part.body, inner), dispatch, refs);
      out.push(result.part);
      failed = !result.ok;
    } else {
      const res = runOne(dispatch, part, refs);
      out.push(responsePart(res, part.headers['content-id']));
      failed = res.status >= 400;
    }
    if (failed && !continueOnError) break;
  }
  const replyBoundary = `batchresponse_${randomUUID()}`;
  const stopped = failed && !continueOnError;
  return {
    status: stopped ? 400 : 200,
    headers: { 'Content-Type': `multipart/mixed; boundary=${replyBoundary}`, 'OData-Version': '4.0' },
    body: buildMultipart(replyBoundary, out),
  };
}

function runChangeset(
  ctx: SimContext,
  parts: MultipartPart[],
  dispatch: Dispatch,
  refs: Map<string, string>,
): { ok: boolean; part: MultipartPart } {
  const boundary = `changesetresponse_${randomUUID()}`;
  try {
    const responses = ctx.store.atomically(() =>
      parts.map((part) => {
        const contentId = part.headers['content-id'];
        const res = runOne(dispatch, part, refs);
        if (res.status >= 400) throw new ChangesetFailed(res, contentId);
        const location = res.headers['OData-EntityId'];
        if (contentId !== undefined && location !== undefined) refs.set(contentId, location);
        return responsePart(res, contentId);
      }),
    );
    return { ok: true, part: { headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body: buildMultipart(boundary, responses) } };
  } catch (error) {
    if (!(error instanceof ChangesetFailed)) throw error;
    return { ok: false, part: responsePart(error.response, error.contentId) };
  }
}
