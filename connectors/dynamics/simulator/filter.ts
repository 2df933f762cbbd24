/**
 * The `$filter` subset the simulator understands: comparisons (eq ne gt ge lt le), and/or/not,
 * parentheses, string literals with '' escapes, numbers, booleans, null, guids, and
 * `Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=[...])`, and the string functions
 * contains / startswith / endswith (case-insensitive, as Dataverse compares text). Compiled to a
 * predicate.
 */
import type { Row } from './store';

export class FilterSyntaxError extends Error {}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };
export type Predicate = (row: Row) => boolean;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    if (c === ' ') {
      i++;
    } else if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError('unterminated string literal');
        if (input[i] === "'" && input[i + 1] === "'") {
          text += "'";
          i += 2;
        } else if (input[i] === "'") {
          i++;
          break;
        } else text += input[i++];
      }
      out.push({ kind: 'string', text });
    } else if ('(),=[]'.includes(c)) {
      out.push({ kind: 'punct', text: c });
      i++;
    } else {
      const guid = GUID.exec(input.slice(i));
      if (guid) {
        out.push({ kind: 'string', text: guid[0].toLowerCase() });
        i += guid[0].length;
        continue;
      }
      const m = /^-?\d+(\.\d+)?(?![\w-])/.exec(input.slice(i)) ?? /^[A-Za-z_][\w.]*/.exec(input.slice(i));
      if (!m) throw new FilterSyntaxError(`unexpected character '${c}' at ${i}`);
      out.push({ kind: /^-?\d/.test(m[0]) ? 'number' : 'ident', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

type Operand = { literal: unknown } | { column: string };
const STRING_FUNCTIONS: Record<string, (value: string, needle: string) => boolean> = {
  contains: (v, n) => v.includes(n),
  startswith: (v, n) => v.startsWith(n),
  endswith: (v, n) => v.endsWith(n),
};
const COMPARISONS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
type Comparison = (typeof COMPARISONS)[number];

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly known: (column: string) => boolean,
  ) {}

  parse(): Predicate {
    const p = this.or();
    if (this.pos < this.tokens.length) throw new FilterSyntaxError(`unexpected '${this.peek()?.text ?? ''}'`);
    return p;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private take(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new FilterSyntaxError('unexpected end of $filter');
    return t;
  }
  private expect(text: string): void {
    const t = this.take();
    if (t.text !== text) throw new FilterSyntaxError(`expected '${text}', found '${t.text}'`);
  }
  private word(w: string): boolean {
    const t = this.peek();
    if (t?.kind === 'ident' && t.text === w) {
      this.pos++;
      return true;
    }
    return false;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.word('or')) {
      const a = left;
      const b = this.and();
      left = (r) => a(r) || b(r);
    }
    return left;
  }
  private and(): Predicate {
    let left = this.unary();
    while (this.word('and')) {
      const a = left;
      const b = this.unary();
      left = (r) => a(r) && b(r);
    }
    return left;
  }
  private unary(): Predicate {
    if (this.word('not')) {
      const inner = this.unary();
      return (r) => !inner(r);
    }
    if (this.peek()?.text === '(') {
      this.take();
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (this.peek()?.text === 'Microsoft.Dynamics.CRM.In') return this.inList();
    const fn = this.peek()?.text ?? '';
    if (fn in STRING_FUNCTIONS && this.tokens[this.pos + 1]?.text === '(') return this.stringFunction(fn);
    const left = this.operand();
    const op = this.take();
    if (!(COMPARISONS as readonly string[]).includes(op.text)) throw new FilterSyntaxError(`unknown operator '${op.text}'`);
    const right = this.operand();
    return compare(left, op.text as Comparison, right);
  }
  private stringFunction(name: string): Predicate {
    this.take();
    this.expect('(');
    const column = this.take();
    if (column.kind !== 'ident') throw new FilterSyntaxError(`${name} takes a column first, found '${column.text}'`);
    this.checkColumn(column.text);
    this.expect(',');
    const value = this.take();
    if (value.kind !== 'string') throw new FilterSyntaxError(`${name} takes a string literal second, found '${value.text}'`);
    this.expect(')');
    const test = STRING_FUNCTIONS[name] as (a: string, b: string) => boolean;
    const needle = value.text.toLowerCase();
    return (r) => {
      const v = r[column.text];
      return typeof v === 'string' && test(v.toLowerCase(), needle);
    };
  }
  private inList(): Predicate {
    this.take();
    this.expect('(');
    if (this.take().text !== 'PropertyName') throw new FilterSyntaxError('In needs PropertyName');
    this.expect('=');
    const column = this.take();
    this.checkColumn(column.text);
    this.expect(',');
    if (this.take().text !== 'PropertyValues') throw new FilterSyntaxError('In needs PropertyValues');
    this.expect('=');
    this.expect('[');
    const values: string[] = [];
    while (this.peek()?.text !== ']') {
      values.push(this.take().text);
      if (this.peek()?.text === ',') this.take();
    }
    this.expect(']');
    this.expect(')');
    return (r) => values.includes(String(r[column.text]));
  }
  private operand(): Operand {
    const t = this.take();
    if (t.kind === 'string') return { literal: t.text };
    if (t.kind === 'number') return { literal: Number(t.text) };
    if (t.kind === 'ident') {
      if (t.text === 'true' || t.text === 'false') return { literal: t.text === 'true' };
      if (t.text === 'null') return { literal: null };
      this.checkColumn(t.text);
      return { column: t.text };
    }
    throw new FilterSyntaxError(`unexpected '${t.text}'`);
  }
  private checkColumn(column: string): void {
    if (!this.known(column)) throw new FilterSyntaxError(`Could not find a property named '${column}'`);
  }
}

function compare(left: Operand, op: Comparison, right: Operand): Predicate {
  const value = (o: Operand, r: Row): unknown => ('column' in o ? (r[o.column] ?? null) : o.literal);
  return (r) => {
    const a = value(left, r);
    const b = value(right, r);
    if (op === 'eq') return a === b || (typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase());
    if (op === 'ne') return !(a === b || (typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase()));
    if (a === null || b === null) return false;
    const x = a as number | string;
    const y = b as number | string;
    if (op === 'gt') return x > y;
    if (op === 'ge') return x >= y;
    if (op === 'lt') return x < y;
    return x <= y;
  };
}

export function compileFilter(text: string, known: (column: string) => boolean): Predicate {
  return new Parser(tokenize(text), known).parse();
}
