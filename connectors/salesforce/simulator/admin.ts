/**
 * Test-only controls, programmatic and over HTTP under /__admin/: seed and inspect records,
 * validation rules, faults, the clock, pinned SystemModstamps, session expiry, statistics.
 */
import type { FaultInjector, FaultKind, FaultSpec } from './faults';
import { formatRecord, isRecordObject, type SimRequest, type SimResponse } from './http-util';
import { findObject, type SfObject } from './schema';
import type { SimStore } from './store';
import type { ApiAllocation } from './allocation';
import type { SimAuth } from './auth';

export interface SimStats {
  apiCalls: number;
  tokenRequests: number;
  callsByKind: Record<string, number>;
  /** The most API requests answered at once since the stats were reset. */
  peakConcurrentCalls: number;
}

export interface SimAdmin {
  /** Creates records as a CRM user would (validation applies); returns their ids. Throws on a failure. */
  seed(records: Array<Record<string, unknown>>, object?: string): string[];
  get(id: string, object?: string): Record<string, unknown> | null;
  update(id: string, fields: Record<string, unknown>, object?: string): void;
  remove(id: string, object?: string): void;
  count(object?: string): number;
  all(object?: string): Array<Record<string, unknown>>;
  addValidationRule(rule: { object?: string; when: (record: Readonly<Record<string, unknown>>) => boolean; message: string; fields?: string[]; times?: number }): number;
  clearValidationRules(): void;
  /** HTTP-level faults, or 'row_lock': the next `times` record saves fail with UNABLE_TO_LOCK_ROW. */
  injectFault(kind: FaultKind | 'row_lock', times: number, options?: Omit<FaultSpec, 'kind' | 'times'>): void;
  clearFaults(): void;
  expireSessions(): void;
  /** Moves the simulator's clock: an absolute time, or an offset from the real clock. */
  setClock(clock: { now: Date | string | number | null } | { offsetMs: number }): void;
  /** Every write gets this SystemModstamp until called with null. */
  pinModstamp(at: Date | string | number | null): void;
  /** Forgets deletes before `at` and makes earliestDateAvailable `at`. */
  purgeDeletedBefore(at: Date | string | number): void;
  /** Other clients of the org spend `calls` of today's API request allocation. */
  spendApiRequests(calls: number): void;
  stats(): SimStats;
  resetStats(): void;
}

const toMs = (v: Date | string | number): number => (v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v));

export function createAdmin(deps: {
  store: SimStore;
  faults: FaultInjector;
  auth: SimAuth;
  version: string;
  counters: { apiCalls: number; callsByKind: Map<string, number>; peakInFlight: number };
  allocation: ApiAllocation;
}): SimAdmin {
  const { store, faults, auth, version, counters, allocation } = deps;
  const objectOf = (name = 'Opportunity'): SfObject => {
    const obj = findObject(name);
    if (!obj) throw new Error(`unknown object ${name}`);
    return obj;
  };
  const fail = (what: string, res: { ok: false; errors: Array<{ statusCode: string; message: string }> }): never => {
    throw new Error(`${what} failed: ${res.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`);
  };
  return {
    seed(records, object) {
      const obj = objectOf(object);
      return records.map((r) => {
        const res = store.create(obj, r);
        return res.ok ? res.id : fail('seed', res);
      });
    },
    get(id, object) {
      const obj = objectOf(object);
      const rec = store.get(obj, id);
      return rec ? formatRecord(version, obj, rec) : null;
    },
    update(id, fields, object) {
      const res = store.update(objectOf(object), id, fields);
      if (!res.ok) fail('update', res);
    },
    remove(id, object) {
      const res = store.remove(objectOf(object), id);
      if (!res.ok) fail('remove', res);
    },
    count: (object) => store.table(objectOf(object)).size,
    all: (object) => [...store.table(objectOf(object)).values()].map((r) => formatRecord(version, objectOf(object), r)),
    addValidationRule: (rule) => store.addRule({ object: rule.object ?? 'Opportunity', when: rule.when, message: rule.message, fields: rule.fields ?? [], remaining: rule.times ?? null }),
    clearValidationRules: () => void store.rules.splice(0),
    injectFault(kind, times, options = {}) {
      if (kind === 'row_lock') store.rowLocks += times;
      else faults.add({ ...options, kind, times });
    },
    clearFaults() {
      faults.clear();
      store.rowLocks = 0;
    },
    expireSessions: () => auth.expireAll(),
    setClock(clock) {
      if ('offsetMs' in clock) {
        store.fixedNow = null;
        store.clockOffsetMs = clock.offsetMs;
      } else store.fixedNow = clock.now === null ? null : toMs(clock.now);
    },
    pinModstamp: (at) => void (store.pinnedStamp = at === null ? null : Math.floor(toMs(at) / 1000) * 1000),
    purgeDeletedBefore: (at) => store.purgeDeletedBefore(toMs(at)),
    spendApiRequests: (calls) => allocation.spend(calls),
    stats: () => ({ apiCalls: counters.apiCalls, tokenRequests: auth.tokenRequests, callsByKind: Object.fromEntries(counters.callsByKind), peakConcurrentCalls: counters.peakInFlight }),
    resetStats() {
      counters.apiCalls = 0;
      counters.callsByKind.clear();
      counters.peakInFlight = 0;
      auth.tokenRequests = 0;
    },
  };
}

const ok = (body: unknown = { ok: true }): SimResponse => ({ status: 200, body });
const bad = (message: string): SimResponse => ({ status: 400, body: { error: message } });

/** The same controls over HTTP (JSON bodies). Validation rules take {field, equals, message, times?}. */
export function adminHttp(admin: SimAdmin): (req: SimRequest) => SimResponse {
  return (req) => {
    const body = isRecordObject(req.body) ? req.body : {};
    const path = req.path.replace(/^\/__admin/, '');
    const object = typeof body['object'] === 'string' ? body['object'] : (req.query.get('object') ?? undefined);
    try {
      const rec = /^\/records\/(\w+)$/.exec(path);
      if (rec?.[1]) {
        const id = rec[1];
        if (req.method === 'GET') return admin.get(id, object) ? ok(admin.get(id, object)) : { status: 404, body: { error: 'not found' } };
        if (req.method === 'PATCH') return (admin.update(id, isRecordObject(body['fields']) ? body['fields'] : {}, object), ok());
        if (req.method === 'DELETE') return (admin.remove(id, object), ok());
      }
      switch (`${req.method} ${path}`) {
        case 'POST /records':
          return ok({ ids: admin.seed(Array.isArray(body['records']) ? body['records'].filter(isRecordObject) : [], object) });
        case 'GET /records':
          return ok({ count: admin.count(object), records: admin.all(object) });
        case 'POST /validation-rules': {
          const field = String(body['field'] ?? '');
          const equals = body['equals'];
          const times = typeof body['times'] === 'number' ? body['times'] : undefined;
          return ok({ id: admin.addValidationRule({ ...(object ? { object } : {}), when: (r) => r[field] === equals, message: String(body['message'] ?? 'invalid'), fields: [field], ...(times !== undefined ? { times } : {}) }) });
        }
        case 'DELETE /validation-rules':
          return (admin.clearValidationRules(), ok());
        case 'POST /faults':
          return (admin.injectFault(String(body['kind']) as FaultKind | 'row_lock', Number(body['times'] ?? 1), { ...(typeof body['latencyMs'] === 'number' ? { latencyMs: body['latencyMs'] } : {}), ...(typeof body['pathIncludes'] === 'string' ? { pathIncludes: body['pathIncludes'] } : {}) }), ok());
        case 'DELETE /faults':
          return (admin.clearFaults(), ok());
        case 'POST /expire-sessions':
          return (admin.expireSessions(), ok());
        case 'POST /clock':
          return (admin.setClock(typeof body['offsetMs'] === 'number' ? { offsetMs: body['offsetMs'] } : { now: typeof body['now'] === 'string' || typeof body['now'] === 'number' ? body['now'] : null }), ok());
        case 'POST /modstamp':
          return (admin.pinModstamp(typeof body['pin'] === 'string' || typeof body['pin'] === 'number' ? body['pin'] : null), ok());
        case 'POST /purge-deleted':
          return (admin.purgeDeletedBefore(String(body['before'])), ok());
        case 'POST /api-requests': {
          const calls = body['calls'];
          if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 0) return bad('calls must be a whole number of API requests');
          return (admin.spendApiRequests(calls), ok());
        }
        case 'GET /stats':
          return ok(admin.stats());
        case 'POST /stats/reset':
          return (admin.resetStats(), ok());
        default:
          return { status: 404, body: { error: `no admin route ${req.method} ${path}` } };
      }
    } catch (err) {
      return bad(err instanceof Error ? err.message : String(err));
    }
  };
}
