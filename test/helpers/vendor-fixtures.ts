/**
 * Request/response examples recorded from the vendors' documentation (test/fixtures/<vendor>/),
 * and the comparison of one of them with what a simulator answers to the same request.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface VendorFixture {
  name: string;
  /** The documentation page the example comes from. */
  source: string;
  example: string;
  request: { method: string; path: string; headers: Record<string, string>; json?: unknown; body?: string };
  response: { status: number; headers: Record<string, string>; json?: unknown; body?: string };
}

export const FIXTURES_DIR = path.resolve(__dirname, '../fixtures');

export function loadFixtures(vendor: 'salesforce' | 'dynamics'): Map<string, VendorFixture> {
  const dir = path.join(FIXTURES_DIR, vendor);
  const out = new Map<string, VendorFixture>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'simulator-differences.json').sort()) {
    const name = file.replace(/\.json$/, '');
    const fixture = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Omit<VendorFixture, 'name'>;
    if (!/^https:\/\//.test(fixture.source)) throw new Error(`${vendor}/${file}: every fixture names the page it came from`);
    out.set(name, { name, ...fixture });
  }
  return out;
}

/** The documented differences between a simulator and the vendor's examples, with their reasons. */
export function loadAllowList(vendor: 'salesforce' | 'dynamics'): Record<string, Record<string, string>> {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, vendor, 'simulator-differences.json'), 'utf8')) as Record<string, Record<string, string>>;
}

/** The documented response with the page's placeholder organisation URL replaced. */
export function responseText(f: VendorFixture, orgUrl: string): string {
  const raw = f.response.json !== undefined ? JSON.stringify(f.response.json) : (f.response.body ?? '');
  return raw.replace(/\[Organization (URI|Uri)\]/g, orgUrl);
}

export function responseHeaders(f: VendorFixture): Record<string, string> {
  const headers = { ...f.response.headers };
  if (f.response.json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  return headers;
}

/**
 * Headers whose value depends on the organisation's data or usage (how many calls were made, how
 * many records a set holds, which locator comes next): compared by form, not by value.
 */
const HEADER_FORMS: Record<string, (value: string) => string> = {
  'sforce-limit-info': (v) => v.replace(/\d+/g, 'n'),
  'sforce-numberofrecords': (v) => (/^\d+$/.test(v) ? 'a count' : v),
  'sforce-locator': (v) => (v === 'null' ? 'null' : 'a locator'),
};

function sameHeader(key: string, documented: string, got: string): boolean {
  if (key === 'content-type') return got.split(';')[0]?.trim() === documented.split(';')[0]?.trim();
  if (key === 'odata-entityid') return true;
  const form = HEADER_FORMS[key];
  return form ? form(got) === form(documented) : got === documented;
}

type Shape = Map<string, Set<string>>;

/**
 * JSON value -> path -> the types found there. Arrays are described by all their elements (`[]`),
 * so a list whose items differ by kind (columns of several types, say) is compared item kind by
 * item kind rather than by its first item alone.
 */
export function shapeOf(value: unknown, at = '$', out: Shape = new Map()): Shape {
  const add = (type: string): void => void out.set(at, (out.get(at) ?? new Set()).add(type));
  if (value === null) add('null');
  else if (Array.isArray(value)) {
    add('array');
    for (const item of value) shapeOf(item, `${at}[]`, out);
  } else if (typeof value === 'object') {
    add('object');
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) shapeOf(v, `${at}.${k}`, out);
  } else add(typeof value);
  return out;
}

/** The status of each reply part of a `$batch` answer (multipart), in order; changesets are opened. */
export function partStatuses(body: string): number[] {
  return [...body.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}

function compareParts(doc: string, sim: string): string[] {
  const want = partStatuses(doc);
  const got = partStatuses(sim);
  if (want.length !== got.length) return [`${want.length} reply parts documented, ${got.length} from the simulator`];
  return want.flatMap((status, i) => (status === got[i] ? [] : [`part ${i + 1}: status ${status} documented, ${got[i]} from the simulator`]));
}

/**
 * Differences, as sentences, between the documented answer and the simulator's: the status, the
 * headers listed as mattering, the status of each part of a multipart (`$batch`) answer, and (for
 * JSON) each documented field's presence and type. A
 * documented null matches any type (the value was simply empty in the example).
 */
export function compareAnswers(
  doc: { status: number; headers: Record<string, string>; json?: unknown; body?: string },
  sim: { status: number; headers: Record<string, string>; text: string },
  headersThatMatter: readonly string[],
): string[] {
  const diffs: string[] = [];
  if (doc.status !== sim.status) diffs.push(`status ${doc.status} documented, ${sim.status} from the simulator`);
  const simHeaders = new Map(Object.entries(sim.headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, value] of Object.entries(doc.headers)) {
    const key = name.toLowerCase();
    if (!headersThatMatter.includes(key)) continue;
    const got = simHeaders.get(key);
    if (got === undefined) diffs.push(`header ${key} missing`);
    else if (!sameHeader(key, value, got)) diffs.push(`header ${key}: ${value} documented, ${got} from the simulator`);
  }
  if (doc.body !== undefined && /^--/.test(doc.body.trimStart())) diffs.push(...compareParts(doc.body, sim.text));
  if (doc.json === undefined) return diffs;
  let simJson: unknown;
  try {
    simJson = JSON.parse(sim.text);
  } catch {
    diffs.push('body is not JSON');
    return diffs;
  }
  const mine = shapeOf(simJson);
  for (const [at, types] of shapeOf(doc.json)) {
    const got = mine.get(at);
    if (got === undefined) {
      const parent = at.replace(/(\.[^.[\]]+|\[\])$/, '');
      // Below an array the simulator left empty there is nothing to compare.
      if (mine.get(parent)?.has('array') === true && !mine.has(`${parent}[]`)) continue;
      if (!mine.has(parent) && parent !== at) continue;
      diffs.push(`body ${at} missing`);
      continue;
    }
    const documented = [...types].filter((t) => t !== 'null');
    if (documented.length === 0 || got.has('null') || documented.some((t) => got.has(t))) continue;
    diffs.push(`body ${at}: ${documented.join('|')} documented, ${[...got].join('|')} from the simulator`);
  }
  return diffs;
}
