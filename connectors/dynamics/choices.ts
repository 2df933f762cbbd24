/**
 * Choice columns (picklist, state, status) take numbers on the wire. describe() reports their
 * values as text ("100000001"), so a mapping checked against describe may hand them back as text;
 * those are turned into numbers here. The list of choice columns is read once, and only when a
 * write actually carries a numeric string.
 */
import type { WriteOperation } from '../../src/ports/connector';
import { attributeListSchema, parseReply } from './schema';
import type { WebApiClient } from './web-api';

const NUMERIC = /^-?\d+$/;
const CHOICE_TYPES = new Set(['Picklist', 'State', 'Status']);

export class ChoiceColumns {
  private names: Set<string> | null = null;

  constructor(
    private readonly api: WebApiClient,
    private readonly logicalName: string,
  ) {}

  private async load(): Promise<Set<string>> {
    if (this.names) return this.names;
    const res = await this.api.send({
      method: 'GET',
      url: `EntityDefinitions(LogicalName='${this.logicalName}')/Attributes?$select=LogicalName,AttributeType`,
      operation: 'read choice columns',
    });
    const rows = parseReply(attributeListSchema, res.text, 'read choice columns').value;
    this.names = new Set(rows.filter((r) => CHOICE_TYPES.has(r.AttributeType ?? '')).map((r) => r.LogicalName));
    return this.names;
  }

  async normalise(ops: readonly WriteOperation[]): Promise<WriteOperation[]> {
    const textual = (op: WriteOperation): boolean => Object.values(op.fields).some((v) => typeof v === 'string' && NUMERIC.test(v));
    if (!ops.some(textual)) return [...ops];
    const names = await this.load();
    return ops.map((op) => {
      if (!textual(op)) return op;
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(op.fields)) fields[k] = names.has(k) && typeof v === 'string' && NUMERIC.test(v) ? Number(v) : v;
      return { ...op, fields };
    });
  }
}
