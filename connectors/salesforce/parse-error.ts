/**
 * Salesforce failures → ConnectorError. Sources: REST error bodies `[{message, errorCode,
 * fields}]` (jsforce HttpApiError keeps errorCode and data), collection rows
 * `{statusCode, message, fields}`, OAuth errors `{error, error_description}` and network
 * failures. Codes per the REST API guide "Status Codes and Error Responses".
 */
import { ConnectorError, type ConnectorErrorCode } from '../../src/errors';

interface Classified {
  code: ConnectorErrorCode;
  retryable: boolean;
}

const BY_CRM_CODE: Record<string, Classified> = {
  INVALID_SESSION_ID: { code: 'auth', retryable: false },
  INVALID_AUTH_HEADER: { code: 'auth', retryable: false },
  invalid_grant: { code: 'auth', retryable: false },
  invalid_client: { code: 'auth', retryable: false },
  invalid_client_id: { code: 'auth', retryable: false },
  unsupported_grant_type: { code: 'auth', retryable: false },
  INSUFFICIENT_ACCESS: { code: 'auth', retryable: false },
  INSUFFICIENT_ACCESS_OR_READONLY: { code: 'auth', retryable: false },
  API_DISABLED_FOR_ORG: { code: 'auth', retryable: false },
  REQUEST_LIMIT_EXCEEDED: { code: 'rate_limited', retryable: true },
  CONCURRENT_REQUEST_LIMIT_EXCEEDED: { code: 'rate_limited', retryable: true },
  NOT_FOUND: { code: 'not_found', retryable: false },
  ENTITY_IS_DELETED: { code: 'not_found', retryable: false },
  INVALID_CROSS_REFERENCE_KEY: { code: 'not_found', retryable: false },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: { code: 'validation', retryable: false },
  REQUIRED_FIELD_MISSING: { code: 'validation', retryable: false },
  INVALID_FIELD: { code: 'validation', retryable: false },
  MALFORMED_ID: { code: 'validation', retryable: false },
  INVALID_FIELD_FOR_INSERT_UPDATE: { code: 'validation', retryable: false },
  STRING_TOO_LONG: { code: 'validation', retryable: false },
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: { code: 'validation', retryable: false },
  INVALID_TYPE_ON_FIELD_IN_RECORD: { code: 'validation', retryable: false },
  FIELD_INTEGRITY_EXCEPTION: { code: 'validation', retryable: false },
  MALFORMED_QUERY: { code: 'validation', retryable: false },
  MISSING_ARGUMENT: { code: 'validation', retryable: false },
  JSON_PARSER_ERROR: { code: 'validation', retryable: false },
  DUPLICATE_VALUE: { code: 'conflict', retryable: false },
  DUPLICATE_EXTERNAL_ID: { code: 'conflict', retryable: false },
  DUPLICATES_DETECTED: { code: 'conflict', retryable: false },
  MULTIPLE_CHOICES: { code: 'conflict', retryable: false },
  INVALID_QUERY_LOCATOR: { code: 'cursor_expired', retryable: false },
  INVALID_REPLICATION_DATE: { code: 'cursor_expired', retryable: false },
  UNABLE_TO_LOCK_ROW: { code: 'transient', retryable: true },
  // allOrNone: a valid record rolled back because another one failed; alone it would be saved.
  ALL_OR_NONE_OPERATION_ROLLED_BACK: { code: 'transient', retryable: true },
  SERVER_UNAVAILABLE: { code: 'transient', retryable: true },
  UNKNOWN_EXCEPTION: { code: 'transient', retryable: true },
  REQUEST_RUNNING_TOO_LONG: { code: 'transient', retryable: true },
  QUERY_TIMEOUT: { code: 'transient', retryable: true },
  // Bulk API 2.0: results asked for before the job reached JobComplete.
  JOB_NOT_COMPLETE: { code: 'transient', retryable: true },
};

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

export function classifySalesforceCode(crmCode: string, httpStatus: number | null = null): Classified {
  const known = BY_CRM_CODE[crmCode];
  if (known) return known;
  const status = httpStatus ?? Number(/^ERROR_HTTP_(\d{3})$/.exec(crmCode)?.[1] ?? NaN);
  if (status === 401) return { code: 'auth', retryable: false };
  if (status === 403) return { code: 'auth', retryable: false };
  if (status === 404) return { code: 'not_found', retryable: false };
  if (status === 300 || status === 409 || status === 412) return { code: 'conflict', retryable: false };
  if (status === 429) return { code: 'rate_limited', retryable: true };
  if (status >= 500) return { code: 'transient', retryable: true };
  if (status >= 400) return { code: 'validation', retryable: false };
  return { code: 'unknown', retryable: false };
}

/** One per-record error of a collection result (`statusCode`) or a REST error body (`errorCode`). */
export interface SalesforceErrorItem {
  statusCode?: string | undefined;
  errorCode?: string | undefined;
  message?: string | undefined;
  fields?: string[] | undefined;
}

export function fromErrorItems(items: readonly SalesforceErrorItem[], httpStatus: number | null = null): ConnectorError {
  const first = items[0] ?? {};
  const crmCode = first.statusCode ?? first.errorCode ?? 'UNKNOWN';
  const { code, retryable } = classifySalesforceCode(crmCode, httpStatus);
  const message = items.map((i) => i.message ?? '').filter((m) => m !== '').join('; ') || crmCode;
  const fields = [...new Set(items.flatMap((i) => i.fields ?? []))];
  return new ConnectorError({ code, retryable, message, crmCode, fields, httpStatus });
}

function networkCode(err: unknown, depth = 0): string | null {
  if (depth > 4 || typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  if (err instanceof Error && /fetch failed|socket hang up|other side closed|ECONNRESET/i.test(err.message) && depth > 0) return 'ECONNRESET';
  return networkCode((err as { cause?: unknown }).cause, depth + 1);
}

/** Any thrown value from jsforce (or the network) as a ConnectorError, original kept as cause. */
export function parseSalesforceError(err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const net = networkCode(err) ?? (err instanceof Error && /^(fetch failed|socket hang up|terminated)$/i.test(err.message) ? 'ECONNRESET' : null);
  if (net) return new ConnectorError({ code: 'transient', retryable: true, message: `network failure (${net})`, crmCode: net, cause: err });
  if (err instanceof Error) {
    const e = err as Error & { errorCode?: unknown; data?: unknown };
    if (e.errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data)) {
      const merged = fromErrorItems(e.data as SalesforceErrorItem[]);
      const { code } = classifySalesforceCode(merged.crmCode ?? 'UNKNOWN');
      return new ConnectorError({ code, retryable: merged.retryable, message: merged.message, crmCode: merged.crmCode, fields: merged.fields, cause: err });
    }
    const crmCode = typeof e.errorCode === 'string' ? e.errorCode : e.name;
    const item = Array.isArray(e.data) ? (e.data[0] as SalesforceErrorItem | undefined) : (e.data as SalesforceErrorItem | undefined);
    const { code, retryable } = classifySalesforceCode(crmCode);
    const status = Number(/^ERROR_HTTP_(\d{3})$/.exec(crmCode)?.[1] ?? NaN);
    return new ConnectorError({ code, retryable, message: e.message || crmCode, crmCode, fields: item?.fields ?? [], httpStatus: Number.isNaN(status) ? null : status, cause: err });
  }
  return new ConnectorError({ code: 'unknown', message: String(err), cause: err });
}
