/**
 * Tokens of the SOQL subset the simulator understands. String escapes follow the SOQL reference
 * ("Quoted String Escape Sequences"): \n \r \t \b \f \" \' \\ \uXXXX, plus \_ and \% kept
 * escaped for LIKE. Date and datetime literals are unquoted (2024-01-31, 2024-01-31T10:00:00Z).
 */
export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; likePattern: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'datetime'; value: number; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number }
  | { kind: 'eof'; pos: number };

export class SoqlSyntaxError extends Error {
  override name = 'SoqlSyntaxError';
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2}|[+-]\d{4})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

function readString(src: string, start: number): { value: string; likePattern: string; end: number } {
  let value = '';
  let like = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === "'") return { value, likePattern: like, end: i + 1 };
    if (c === '\\') {
      const e = src.charAt(i + 1);
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        value += simple;
        like += simple === '\\' ? '\\\\' : simple;
        i += 2;
      } else if (e === '_' || e === '%') {
        value += `\\${e}`;
        like += `\\${e}`;
        i += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        const ch = String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        value += ch;
        like += ch;
        i += 6;
      } else {
        throw new SoqlSyntaxError(`Invalid string literal: bad escape \\${e} at ${i}`);
      }
    } else {
      value += c;
      like += c;
      i += 1;
    }
  }
  throw new SoqlSyntaxError(`unterminated string literal at ${start}`);
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const rest = src.slice(i, i + 40);
    if (c === "'") {
      const s = readString(src, i);
      out.push({ kind: 'string', value: s.value, likePattern: s.likePattern, pos: i });
      i = s.end;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, pos: i });
      i += 1;
      continue;
    }
    const op = /^(<=|>=|!=|<>|=|<|>)/.exec(rest);
    if (op) {
      out.push({ kind: 'op', text: op[1] === '<>' ? '!=' : (op[1] ?? ''), pos: i });
      i += op[0].length;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      const ms = Date.parse(dt[0].replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (Number.isNaN(ms)) throw new SoqlSyntaxError(`invalid datetime ${dt[0]}`);
      out.push({ kind: 'datetime', value: ms, pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE.exec(rest);
    if (d) {
      out.push({ kind: 'date', value: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      out.push({ kind: 'number', value: Number(num[0]), pos: i });
      i += num[0].length;
      continue;
    }
    const id = IDENT.exec(src.slice(i));
    if (id) {
      out.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw new SoqlSyntaxError(`unexpected character '${c}' at ${i}`);
  }
  out.push({ kind: 'eof', pos: src.length });
  return out;
}
