/**
 * Retry-After on a Salesforce answer (a 429 or 503 from Salesforce or a gateway in front of it):
 * RFC 9110 §10.2.3 allows delay-seconds or an HTTP date. jsforce's errors drop the headers, so the
 * transport hands each response's value here and the client puts it on the typed error.
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
