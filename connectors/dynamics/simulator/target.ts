/** Parses `opportunities`, `opportunities(<guid>)` and `opportunities(cosell_cosellid='k')`. */
import { CODES, fail } from './context';
import { tableBySet, type TableDef } from './schema';

export type Target =
  | { def: TableDef; kind: 'collection' }
  | { def: TableDef; kind: 'id'; id: string }
  | { def: TableDef; kind: 'altkey'; column: string; value: string };

export function parseTarget(path: string): Target | null {
  const m = /^(\w+)(?:\((.*)\))?$/.exec(path);
  const def = m?.[1] ? tableBySet(m[1]) : undefined;
  if (!m || !def) return null;
  const inner = m[2];
  if (inner === undefined) return { def, kind: 'collection' };
  if (/^[0-9a-fA-F-]{36}$/.test(inner)) return { def, kind: 'id', id: inner.toLowerCase() };
  const alt = /^(\w+)='((?:[^']|'')*)'$/.exec(inner);
  if (alt?.[1] && alt[2] !== undefined && def.alternateKeys.includes(alt[1])) {
    return { def, kind: 'altkey', column: alt[1], value: alt[2].replace(/''/g, "'") };
  }
  throw fail(400, CODES.invalidArgument, `The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.${def.logicalName}'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource 'Microsoft.Dynamics.CRM.${def.logicalName}'.`);
}
