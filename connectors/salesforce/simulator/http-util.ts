/** Request/response shapes shared by the simulator's route handlers, and wire formatting. */
import type { SfObject } from './schema';
import type { StoredRecord } from './soql/evaluate';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the body is JSON, else the raw text ('' when empty). */
  body: unknown;
  rawBody: string;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  /** Sent as-is (CSV) instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
}

/** Salesforce REST error body: an array of {message, errorCode, fields} (REST API guide, Status Codes and Error Responses). */
export function sfError(status: number, errorCode: string, message: string, fields: string[] = []): SimResponse {
  return { status, body: [{ message, errorCode, fields }] };
}

/** Datetimes on the REST wire look like 2024-01-31T10:00:00.000+0000. */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function recordUrl(version: string, obj: SfObject, id: string): string {
  return `/services/data/v${version}/sobjects/${obj.name}/${id}`;
}

/** The record as the REST API returns it, every stored field (datetimes formatted). */
export function formatRecord(version: string, obj: SfObject, rec: StoredRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: obj.name, url: recordUrl(version, obj, rec.Id) } };
  for (const f of obj.fields) {
    const v = rec[f.name];
    out[f.name] = f.type === 'datetime' && typeof v === 'number' ? formatDatetime(v) : (v ?? null);
  }
  return out;
}

export function headerValue(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export const isRecordObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
