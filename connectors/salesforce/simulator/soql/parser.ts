/**
 * Recursive-descent parser: SELECT (fields | COUNT()) FROM obj [WHERE expr] [ORDER BY ...]
 * [LIMIT n] [OFFSET n]. Precedence: NOT > AND > OR, parentheses group.
 */
import type { CompareOp, OrderItem, SoqlExpr, SoqlQuery, SoqlValue } from './ast';
import { SoqlSyntaxError, tokenize, type Token } from './lexer';

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i] ?? { kind: 'eof', pos: -1 };
  }
  private next(): Token {
    const t = this.peek();
    this.i += 1;
    return t;
  }
  private isKeyword(word: string, t: Token = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toUpperCase() === word;
  }
  private expectKeyword(word: string): void {
    const t = this.next();
    if (!this.isKeyword(word, t)) throw new SoqlSyntaxError(`expecting '${word}' at ${t.pos}`);
  }
  private expectPunct(p: '(' | ')' | ','): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) throw new SoqlSyntaxError(`expecting '${p}' at ${t.pos}`);
  }
  private ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') throw new SoqlSyntaxError(`expecting a field or object name at ${t.pos}`);
    return t.text;
  }

  query(): SoqlQuery {
    this.expectKeyword('SELECT');
    const fields: string[] = [];
    let count = false;
    if (this.isKeyword('COUNT') && this.tokens[this.i + 1]?.kind === 'punct') {
      this.next();
      this.expectPunct('(');
      this.expectPunct(')');
      count = true;
    } else {
      fields.push(this.ident());
      while (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ',') {
        this.next();
        fields.push(this.ident());
      }
    }
    this.expectKeyword('FROM');
    const from = this.ident();
    let where: SoqlExpr | null = null;
    if (this.isKeyword('WHERE')) {
      this.next();
      where = this.orExpr();
    }
    const orderBy: OrderItem[] = [];
    if (this.isKeyword('ORDER')) {
      this.next();
      this.expectKeyword('BY');
      do {
        if (orderBy.length > 0) this.next();
        orderBy.push(this.orderItem());
      } while (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ',');
    }
    const limit = this.isKeyword('LIMIT') ? (this.next(), this.integer()) : null;
    const offset = this.isKeyword('OFFSET') ? (this.next(), this.integer()) : null;
    const end = this.peek();
    if (end.kind !== 'eof') throw new SoqlSyntaxError(`unexpected token at ${end.pos}`);
    return { fields, count, from, where, orderBy, limit, offset };
  }

  private integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) throw new SoqlSyntaxError(`expecting a non-negative integer at ${t.pos}`);
    return t.value;
  }

  private orderItem(): OrderItem {
    const field = this.ident();
    let desc = false;
    if (this.isKeyword('ASC')) this.next();
    else if (this.isKeyword('DESC')) {
      this.next();
      desc = true;
    }
    let nullsLast = desc;
    if (this.isKeyword('NULLS')) {
      this.next();
      const w = this.ident().toUpperCase();
      if (w !== 'FIRST' && w !== 'LAST') throw new SoqlSyntaxError('expecting FIRST or LAST');
      nullsLast = w === 'LAST';
    }
    return { field, desc, nullsLast };
  }

  /** SOQL has no precedence between AND and OR: mixing them at one level needs parentheses. */
  private orExpr(): SoqlExpr {
    let left = this.andExpr();
    let terms = 1;
    let chained = this.lastAndChained;
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.andExpr() };
      terms += 1;
      chained ||= this.lastAndChained;
      if (chained) throw new SoqlSyntaxError('unexpected token: OR (AND and OR at one level need parentheses)');
    }
    if (terms > 1 && chained) throw new SoqlSyntaxError('unexpected token: OR (AND and OR at one level need parentheses)');
    return left;
  }

  private lastAndChained = false;

  private andExpr(): SoqlExpr {
    let left = this.unary();
    let chained = false;
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.unary() };
      chained = true;
    }
    this.lastAndChained = chained;
    return left;
  }

  private unary(): SoqlExpr {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', expr: this.unary() };
    }
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      const inner = this.orExpr();
      this.expectPunct(')');
      return inner;
    }
    return this.condition();
  }

  private condition(): SoqlExpr {
    const field = this.ident();
    if (this.isKeyword('IN') || (this.isKeyword('NOT') && this.isKeyword('IN', this.tokens[this.i + 1]))) {
      const negate = this.isKeyword('NOT');
      if (negate) this.next();
      this.next();
      this.expectPunct('(');
      const values = [this.value()];
      while (this.peek().kind === 'punct' && (this.peek() as { text: string }).text === ',') {
        this.next();
        values.push(this.value());
      }
      this.expectPunct(')');
      return { kind: 'in', field, negate, values };
    }
    let op: CompareOp;
    const t = this.next();
    if (t.kind === 'op') op = t.text as CompareOp;
    else if (this.isKeyword('LIKE', t)) op = 'LIKE';
    else throw new SoqlSyntaxError(`expecting an operator at ${t.pos}`);
    const value = this.value();
    if (op === 'LIKE' && value.kind !== 'string') throw new SoqlSyntaxError('LIKE needs a string');
    return { kind: 'cmp', field, op, value };
  }

  private value(): SoqlValue {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { kind: 'string', value: t.value, likePattern: t.likePattern };
      case 'number':
        return { kind: 'number', value: t.value };
      case 'date':
        return { kind: 'date', value: t.value };
      case 'datetime':
        return { kind: 'datetime', value: t.value };
      case 'ident': {
        const w = t.text.toUpperCase();
        if (w === 'TRUE' || w === 'FALSE') return { kind: 'boolean', value: w === 'TRUE' };
        if (w === 'NULL') return { kind: 'null' };
        throw new SoqlSyntaxError(`unexpected token '${t.text}' at ${t.pos}`);
      }
      default:
        throw new SoqlSyntaxError(`expecting a value at ${t.pos}`);
    }
  }
}

export function parseSoql(src: string): SoqlQuery {
  return new Parser(tokenize(src)).query();
}
