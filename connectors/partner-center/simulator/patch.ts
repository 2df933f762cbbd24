/**
 * JSON Patch as the Referrals API takes it (patch-a-referral): only `add` and `replace`, JSON
 * Pointer paths, `-` to append to an array; then the status table is checked on the result.
 */
import type { Referral } from '../../../src/ports/referral';

export class PatchError extends Error {}

const LEGAL: Record<string, readonly string[]> = {
  New: ['Pending', 'Received'],
  Active: ['Accepted'],
  Closed: ['Won', 'Lost', 'Declined', 'Expired'],
};
const MOVES: Record<string, readonly string[]> = { New: ['New', 'Active', 'Closed'], Active: ['Active', 'Closed'], Closed: ['Closed'] };
const SERVER_OWNED = new Set(['id', 'engagementId', 'createdDateTime', 'updatedDateTime', 'eTag', 'organizationId', 'links']);

export function checkStatusPair(status: unknown, substatus: unknown): void {
  if (typeof status !== 'string' || !(status in LEGAL)) throw new PatchError(`Invalid status '${String(status)}'.`);
  if (!LEGAL[status]?.includes(String(substatus))) throw new PatchError(`Substatus '${String(substatus)}' is not allowed with status '${status}'.`);
}

function unescape(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function applyOne(target: Record<string, unknown>, op: unknown): void {
  const { op: kind, path, value } = (op ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
  if (kind !== 'add' && kind !== 'replace') throw new PatchError(`Operation '${String(kind)}' is not supported; use add or replace.`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new PatchError(`Invalid path '${String(path)}'.`);
  const tokens = path.slice(1).split('/').map(unescape);
  if (SERVER_OWNED.has(tokens[0] ?? '')) throw new PatchError(`Property '${tokens[0]}' cannot be changed.`);
  let node: unknown = target;
  for (const [i, token] of tokens.slice(0, -1).entries()) {
    const parent = node as Record<string, unknown>;
    const child = tokens[i + 1] ?? '';
    if (parent[token] === undefined || parent[token] === null) parent[token] = child === '-' || /^\d+$/.test(child) ? [] : {};
    node = parent[token];
    if (typeof node !== 'object') throw new PatchError(`Path '${path}' does not exist.`);
  }
  const last = tokens[tokens.length - 1] ?? '';
  if (Array.isArray(node)) {
    if (last === '-' && kind === 'add') node.push(value);
    else if (/^\d+$/.test(last) && Number(last) < node.length) node[Number(last)] = value;
    else throw new PatchError(`Path '${path}' does not exist.`);
    return;
  }
  (node as Record<string, unknown>)[last] = value;
}

/** The referral after the operations, or a PatchError naming what was refused. Never half-applied. */
export function applyPatch(current: Referral, operations: unknown): Referral {
  if (!Array.isArray(operations) || operations.length === 0) throw new PatchError('The body must be a non-empty JSON Patch array.');
  // A won deal's registration is added after the close (register-deals); nothing else is.
  const registrationOnly = operations.every((o: { op?: unknown; path?: unknown }) => o?.op === 'add' && o?.path === '/registrations/-');
  if (current.status === 'Closed' && !(registrationOnly && current.substatus === 'Won')) {
    throw new PatchError(`Referral ${current.id} is closed (${String(current.substatus)}) and cannot be updated.`);
  }
  const next = structuredClone(current) as Record<string, unknown>;
  for (const op of operations) applyOne(next, op);
  const from = String(current.status);
  const to = String(next['status']);
  if (!MOVES[from]?.includes(to)) throw new PatchError(`Status cannot change from '${from}' to '${to}'.`);
  checkStatusPair(next['status'], next['substatus']);
  return next as Referral;
}
