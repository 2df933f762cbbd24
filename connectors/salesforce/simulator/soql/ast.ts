/** The parsed form of a SOQL query (the subset the connector and tests send). */
export type SoqlValue =
  | { kind: 'string'; value: string; likePattern: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'date'; value: string }
  | { kind: 'datetime'; value: number };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type SoqlExpr =
  | { kind: 'and' | 'or'; left: SoqlExpr; right: SoqlExpr }
  | { kind: 'not'; expr: SoqlExpr }
  | { kind: 'cmp'; field: string; op: CompareOp; value: SoqlValue }
  | { kind: 'in'; field: string; negate: boolean; values: SoqlValue[] };

export interface OrderItem {
  field: string;
  desc: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  /** Field paths as written (e.g. Name, Account.Name); empty with COUNT(). */
  fields: string[];
  count: boolean;
  from: string;
  where: SoqlExpr | null;
  orderBy: OrderItem[];
  limit: number | null;
  offset: number | null;
}
