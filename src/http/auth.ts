/** Bearer-token check of the admin API, in constant time (the compared values never leave here). */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * True when `authorization` is `Bearer <expected>`. Both sides are hashed first so the comparison
 * takes the same time whatever the lengths; an empty or missing expected token matches nothing.
 */
export function bearerMatches(expected: string | null | undefined, authorization: string | undefined): boolean {
  if (expected === null || expected === undefined || expected === '') return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  const given = match?.[1] ?? '';
  const same = timingSafeEqual(digest(given), digest(expected));
  return same && given !== '';
}
