/**
 * The admin surface under `/__admin/` (the same operations the simulator object offers in-process):
 *   POST   /__admin/seed/<set>            body: array of records -> { ids }
 *   GET    /__admin/records/<set>/<id>    -> row | 404
 *   PATCH  /__admin/records/<set>/<id>    body: columns (a user's edit in the CRM)
 *   DELETE /__admin/records/<set>/<id>
 *   GET    /__admin/count/<set>           -> { count }
 *   POST   /__admin/faults                body: Fault | { kind: 'expire_session' }
 *   POST   /__admin/validation-rules      body: { field, equals, message, code? }
 *   POST   /__admin/expire-delta-tokens, /__admin/expire-access-tokens
 *   GET    /__admin/stats
 */
import type { DynamicsSimulator } from './index';
import type { SimResponse } from './context';

const reply = (status: number, value: unknown): SimResponse => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: value === undefined ? '' : JSON.stringify(value),
});

export function handleAdmin(sim: DynamicsSimulator, method: string, path: string, body: string): SimResponse {
  const parts = path.split('/').filter((p) => p !== '');
  const [, route, set = 'opportunities', id] = parts;
  let input: unknown = null;
  try {
    input = body === '' ? null : JSON.parse(body);
  } catch {
    return reply(400, { error: 'invalid JSON' });
  }
  const object = (input ?? {}) as Record<string, unknown>;
  switch (`${method} ${route ?? ''}`) {
    case 'POST seed':
      return reply(200, { ids: sim.seed(Array.isArray(input) ? (input as Array<Record<string, unknown>>) : [], set) });
    case 'GET records': {
      const row = id === undefined ? null : sim.get(id, set);
      return row ? reply(200, row) : reply(404, { error: 'not found' });
    }
    case 'PATCH records':
      return id !== undefined && sim.update(id, object, set) ? reply(204, undefined) : reply(404, { error: 'not found' });
    case 'DELETE records':
      return id !== undefined && sim.remove(id, set) ? reply(204, undefined) : reply(404, { error: 'not found' });
    case 'GET count':
      return reply(200, { count: sim.count(set) });
    case 'POST faults':
      sim.injectFault(object as Parameters<DynamicsSimulator['injectFault']>[0]);
      return reply(204, undefined);
    case 'POST validation-rules':
      sim.addValidationRule(object as Parameters<DynamicsSimulator['addValidationRule']>[0]);
      return reply(204, undefined);
    case 'POST expire-delta-tokens':
      sim.expireDeltaTokens();
      return reply(204, undefined);
    case 'POST expire-access-tokens':
      sim.expireAccessTokens();
      return reply(204, undefined);
    case 'GET stats':
      return reply(200, sim.stats());
    default:
      return reply(404, { error: `no admin route ${method} ${path}` });
  }
}
