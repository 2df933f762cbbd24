/**
 * multipart/mixed framing for OData `$batch` (Dataverse: "Execute batch operations using the Web
 * API"): each part is a whole HTTP message (`application/http`, `Content-Transfer-Encoding: binary`)
 * or a nested changeset. Shared by the connector (requests out, responses in) and the simulator
 * (the other way round). Lines end in CRLF as the OData spec asks; parsing also takes bare LF.
 */

export interface HttpMessage {
  /** "PATCH /api/data/v9.2/opportunities(...) HTTP/1.1" or "HTTP/1.1 204 No Content". */
  startLine: string;
  headers: Record<string, string>;
  body: string;
}

export interface MultipartPart {
  headers: Record<string, string>;
  body: string;
}

const CRLF = '\r\n';

export function boundaryOf(contentType: string | undefined): string | null {
  const m = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  return m?.[1] ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a multipart body into its parts (header block + body), preamble and epilogue dropped. */
export function splitMultipart(body: string, boundary: string): MultipartPart[] {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: MultipartPart[] = [];
  let start: number | null = null;
  for (let m = delimiter.exec(body); m !== null; m = delimiter.exec(body)) {
    if (start !== null) parts.push(parseBlock(body.slice(start, m.index)));
    if (m[1] === '--') break;
    start = m.index + m[0].length;
  }
  return parts;
}

function parseBlock(text: string): MultipartPart {
  const split = /\r?\n\r?\n/.exec(text);
  const head = split ? text.slice(0, split.index) : text;
  const rest = split ? text.slice(split.index + split[0].length) : '';
  return { headers: parseHeaderLines(head.split(/\r?\n/)), body: rest };
}

function parseHeaderLines(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Parses an embedded HTTP request or response; header names come back lower-cased. */
export function parseHttpMessage(text: string): HttpMessage {
  const trimmed = text.replace(/^(\r?\n)+/, '');
  const lineEnd = /\r?\n/.exec(trimmed);
  const startLine = lineEnd ? trimmed.slice(0, lineEnd.index) : trimmed;
  const rest = lineEnd ? trimmed.slice(lineEnd.index + lineEnd[0].length) : '';
  // No header lines: the blank line follows the start line directly.
  const noHeaders = /^\r?\n/.exec(rest);
  const { headers, body } = noHeaders ? { headers: {}, body: rest.slice(noHeaders[0].length) } : parseBlock(rest);
  return { startLine: startLine.trim(), headers, body: body.replace(/\r?\n$/, '') };
}

export function formatHttpMessage(message: HttpMessage): string {
  const headers = Object.entries(message.headers).map(([k, v]) => `${k}: ${v}`);
  return [message.startLine, ...headers, '', message.body].join(CRLF);
}

/** One `application/http` part carrying `message`. */
export function httpPart(message: HttpMessage, contentId?: string): MultipartPart {
  const headers: Record<string, string> = { 'Content-Type': 'application/http', 'Content-Transfer-Encoding': 'binary' };
  if (contentId !== undefined) headers['Content-ID'] = contentId;
  return { headers, body: formatHttpMessage(message) };
}

export function buildMultipart(boundary: string, parts: readonly MultipartPart[]): string {
  const chunks = parts.map((p) => {
    const headers = Object.entries(p.headers).map(([k, v]) => `${k}: ${v}`);
    return [`--${boundary}`, ...headers, '', p.body].join(CRLF);
  });
  return `${chunks.join(CRLF)}${CRLF}--${boundary}--${CRLF}`;
}
