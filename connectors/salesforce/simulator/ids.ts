/**
 * Salesforce-shaped record ids: 3-char key prefix + 12 base62 chars + the 3-char case-safe suffix.
 * The suffix follows the documented algorithm: for each 5-char chunk, a bit per upper-case letter
 * indexes into A-Z0-5. The alphabet is in code-point order so ids sort in creation order.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function caseSafeSuffix(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let flags = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    out += SUFFIX.charAt(flags);
  }
  return out;
}

export function makeId(prefix: string, counter: number, pod = '5g0'): string {
  let n = counter;
  let body = '';
  for (let i = 0; i < 9; i += 1) {
    body = BASE62.charAt(n % 62) + body;
    n = Math.floor(n / 62);
  }
  const id15 = `${prefix}${pod}${body}`;
  return id15 + caseSafeSuffix(id15);
}

export const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * An 18-character id whose last three characters are not the case-safe suffix of the first 15 is
 * refused by an org (MALFORMED_ID, "id value of incorrect type"), as is any id of another length.
 */
export function isWellFormedId(id: string): boolean {
  if (!ID_PATTERN.test(id)) return false;
  return id.length === 15 || id.slice(15) === caseSafeSuffix(id.slice(0, 15));
}
