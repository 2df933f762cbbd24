/**
 * Shared state of one simulator instance, and the request/response shapes every route handler
 * speaks (`$batch` parts run through the same handlers as top-level requests).
 */
import type { SimStore } from './store';

export interface SimRequest {
  method: string;
  /** Path below `/api/data/v9.2/`, percent-decoded, e.g. `opportunities(cosell_cosellid='a')`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ValidationRule {
  field: string;
  equals: unknown;
  message: string;
  code: string;
}

/**
 * `hang`: the request is accepted and never answered (nor applied); `apply_then_hang`: it is
 * applied and never answered, so the client cannot know its outcome.
 */
export type FaultKind = 'latency' | 'rate_limit' | 'server_error' | 'reset' | 'hang' | 'apply_then_hang';
export interface Fault {
  kind: FaultKind;
  times: number;
  latencyMs?: number;
  retryAfterSeconds?: number;
}

export interface SimStats {
  /** Web API requests (a `$batch` counts once), token requests apart. */
  apiRequests: number;
  batchRequests: number;
  tokenRequests: number;
  /** The most Web API requests answered at once. */
  peakConcurrentRequests: number;
}

export interface SimContext {
  store: SimStore;
  /** e.g. http://127.0.0.1:1234/api/data/v9.2 */
  apiBase: string;
  now: () => Date;
  /** Delta tokens older than this are refused as expired. */
  deltaTokenLifetimeMs: number;
  /** Delta tokens with a version below this are refused as expired (admin "expire delta tokens"). */
  minDeltaVersion: number;
  rules: ValidationRule[];
  faults: Fault[];
  stats: SimStats;
}

export const API_PREFIX = '/api/data/v9.2/';

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...headers },
    body: JSON.stringify(value),
  };
}

/** Dataverse's error envelope (Web API "Parse errors from the response"). */
export function dvError(status: number, code: string, message: string, headers: Record<string, string> = {}): SimResponse {
  return json(status, { error: { code, message } }, headers);
}

export function noContent(headers: Record<string, string> = {}): SimResponse {
  return { status: 204, headers: { 'OData-Version': '4.0', ...headers }, body: '' };
}

/** Thrown inside handlers; turned into a reply (and rolls back a changeset). */
export class SimFailure extends Error {
  constructor(readonly response: SimResponse) {
    super(response.body);
  }
}

export const fail = (status: number, code: string, message: string): SimFailure => new SimFailure(dvError(status, code, message));

/** Known error codes (Dataverse "Web service error codes"). */
export const CODES = {
  notFound: '0x80040217',
  validation: '0x80044331',
  pluginAbort: '0x80040265',
  duplicate: '0x80040237',
  versionMismatch: '0x80060882',
  invalidArgument: '0x80040203',
  unknownProperty: '0x80060888',
  expiredVersionStamp: '0x80044352',
  rateLimitRequests: '0x80072322',
  unexpected: '0x80040216',
  /** Used by the simulator for features of the Web API it does not implement. */
  notImplemented: '0x8004D2B6',
} as const;

export interface Prefer {
  trackChanges: boolean;
  maxPageSize: number | null;
  formattedValues: boolean;
  returnRepresentation: boolean;
  continueOnError: boolean;
}

export function parsePrefer(header: string | undefined): Prefer {
  const text = header ?? '';
  const size = /odata\.maxpagesize=(\d+)/.exec(text);
  return {
    trackChanges: /odata\.track-changes/.test(text),
    maxPageSize: size?.[1] ? Number(size[1]) : null,
    formattedValues: /odata\.include-annotations="?[^"]*(\*|FormattedValue)/.test(text),
    returnRepresentation: /return=representation/.test(text),
    continueOnError: /odata\.continue-on-error/.test(text),
  };
}
