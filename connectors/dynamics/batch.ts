/**
 * `$batch` request/response framing for writes (Web API "Execute batch operations"): one unit per
 * write operation; a unit of several requests goes in a changeset so it applies all or nothing.
 * The batch is sent with `Prefer: odata.continue-on-error`, so every unit gets its own reply.
 */
import { randomUUID } from 'node:crypto';
import { boundaryOf, buildMultipart, httpPart, parseHttpMessage, splitMultipart, type HttpMessage, type MultipartPart } from './multipart';

export interface BatchRequest {
  method: 'PATCH' | 'POST' | 'DELETE';
  /** Relative to the API base, e.g. `opportunities(cosell_cosellid='k')?$select=opportunityid`. */
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface BatchUnit {
  requests: BatchRequest[];
}

export interface PartResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function requestMessage(apiPath: string, r: BatchRequest): HttpMessage {
  return {
    startLine: `${r.method} ${apiPath}${r.url} HTTP/1.1`,
    headers: { 'Content-Type': 'application/json; type=entry', ...r.headers },
    body: r.body === undefined ? '' : JSON.stringify(r.body),
  };
}

/** `apiPath` is the API base path, e.g. `/api/data/v9.2/`. */
export function buildBatch(apiPath: string, units: readonly BatchUnit[]): { contentType: string; body: string } {
  const boundary = `batch_${randomUUID()}`;
  let contentId = 0;
  const parts: MultipartPart[] = units.map((unit) => {
    const [only] = unit.requests;
    if (unit.requests.length === 1 && only) return httpPart(requestMessage(apiPath, only), String(++contentId));
    const changeset = `changeset_${randomUUID()}`;
    const inner = unit.requests.map((r) => httpPart(requestMessage(apiPath, r), String(++contentId)));
    return { headers: { 'Content-Type': `multipart/mixed; boundary=${changeset}` }, body: buildMultipart(changeset, inner) };
  });
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: buildMultipart(boundary, parts) };
}

function toPartResponse(part: MultipartPart): PartResponse {
  const message = parseHttpMessage(part.body);
  const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(message.startLine)?.[1] ?? 0);
  return { status, headers: message.headers, body: message.body };
}

/**
 * One entry per top-level reply part, in order: a changeset that succeeded gives all its
 * responses; a failed changeset gives the single error response.
 */
export function parseBatchResponse(contentType: string | null, body: string): PartResponse[][] {
  // The boundary is declared in Content-Type; a reply without one still opens with its delimiter.
  const boundary = boundaryOf(contentType ?? '') ?? /^\s*--([^\s]+)\s*$/m.exec(body.split(/\r?\n/).find((l) => l.trim() !== '') ?? '')?.[1] ?? null;
  if (!boundary) throw new Error('batch reply without a multipart boundary');
  return splitMultipart(body, boundary).map((part) => {
    const inner = boundaryOf(part.headers['content-type']);
    if (inner && /multipart\/mixed/i.test(part.headers['content-type'] ?? '')) return splitMultipart(part.body, inner).map(toPartResponse);
    return [toPartResponse(part)];
  });
}
