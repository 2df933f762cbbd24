/**
 * Text lengths as the CRMs count them: characters (code points), so an emoji is one and a cut
 * never splits a surrogate pair.
 */
export const ELLIPSIS = '…';

export function textLength(text: string): number {
  return Array.from(text).length;
}

/** `text` cut so that it and the ellipsis fit in `max` characters. */
export function truncateText(text: string, max: number): string {
  if (textLength(text) <= max) return text;
  return `${Array.from(text).slice(0, Math.max(0, max - 1)).join('')}${ELLIPSIS}`;
}

export function tooLongMessage(crmField: string, length: number, max: number, direction: 'to-crm' | 'to-cosell'): string {
  const where = direction === 'to-crm' ? `cannot be written to ${crmField}` : `read from ${crmField} is too long`;
  return `text of ${length} characters ${where}: the mapping's maxLength for it is ${max}`;
}
