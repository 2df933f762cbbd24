/** The connector against the Referrals API simulator over real HTTP. */
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { isConnectorError } from '../../../src/errors';
import { referralFilter } from '../../../src/partner-center/filter';
import type { Referral, ReferralApi } from '../../../src/ports/referral';
import createRequest from '../../fixtures/partner-center/create-referral.request.json';
import { anIncomingBody, withSimulator } from './setup';

let sim: PartnerCenterSimulator;
let api: ReferralApi;

beforeEach(async () => {
  ({ sim, api } = await withSimulator());
});
afterEach(async () => {
  await api.close();
  await sim.close();
});

async function all(filter?: string, orderBy?: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  for await (const page of api.list({ ...(filter ? { filter } : {}), ...(orderBy ? { orderBy } : {}) })) {
    pages++;
    ids.push(...page.referrals.map((r) => r.id));
  }
  return { ids, pages };
}

const failure = async (p: Promise<unknown>): Promise<{ code: string; httpStatus: number | null; message: string }> => {
  try {
    await p;
  } catch (e) {
    if (isConnectorError(e)) return { code: e.code, httpStatus: e.httpStatus, message: e.message };
    throw e;
  }
  throw new Error('expected a failure');
};

describe('Partner Center connector <-> simulator', () => {
  it('creates the documented example, reads it back with its ETag', async () => {
    const created = await api.create(createRequest);
    expect(created.id).toMatch(/[0-9a-f-]{36}/);
    expect(created.eTag).toMatch(/^".+"$/);
    const read = await api.get(created.id);
    expect(read?.name).toBe(createRequest.name);
    expect(read?.eTag).toBe(created.eTag);
    expect(await api.get('no-such-referral')).toBeNull();
  });

  it('pages at 100 through @odata.nextLink, every referral exactly once', async () => {
    const made = Array.from({ length: 230 }, (_, i) => sim.receive(anIncomingBody({ name: `lead ${i}` })).id);
    const { ids, pages } = await all();
    expect(pages).toBe(3);
    expect(ids).toHaveLength(230);
    expect(new Set(ids)).toEqual(new Set(made));
  });

  it('filters on updatedDateTime and status, values escaped', async () => {
    const first = sim.receive(anIncomingBody());
    const second = sim.receive(anIncomingBody({ name: "O'Brien's deal" }));
    const since = await all(referralFilter([{ field: 'updatedDateTime', op: 'gt', value: String(first.updatedDateTime) }]));
    expect(since.ids).toEqual([second.id]);
    sim.microsoftUpdate(first.id, { status: 'Closed', substatus: 'Expired' });
    const closed = await all(referralFilter([{ field: 'status', op: 'eq', value: 'Closed' }, { field: 'substatus', op: 'eq', value: 'Expired' }]));
    expect(closed.ids).toEqual([first.id]);
    const none = await all(referralFilter([{ field: 'engagementId', op: 'eq', value: "x' or status eq 'New" }]));
    expect(none.ids).toEqual([]);
  });

  it('patches with If-Match; a stale ETag is a 412 conflict; the status table holds', async () => {
    const r = sim.receive(anIncomingBody());
    const accepted = await api.patch({
      id: r.id,
      etag: r.eTag ?? null,
      operations: [
        { op: 'replace', path: '/status', value: 'Active' },
        { op: 'replace', path: '/substatus', value: 'Accepted' },
      ],
    });
    expect([accepted.status, accepted.substatus]).toEqual(['Active', 'Accepted']);
    expect(accepted.eTag).not.toBe(r.eTag);
    const stale = await failure(api.patch({ id: r.id, etag: r.eTag ?? null, operations: [{ op: 'replace', path: '/details/notes', value: 'x' }] }));
    expect(stale).toMatchObject({ code: 'conflict', httpStatus: 412 });
    const backwards = await failure(
      api.patch({ id: r.id, etag: null, operations: [{ op: 'replace', path: '/status', value: 'New' }, { op: 'replace', path: '/substatus', value: 'Pending' }] }),
    );
    expect(backwards).toMatchObject({ code: 'validation', httpStatus: 400 });
    const badPair = await failure(api.patch({ id: r.id, etag: null, operations: [{ op: 'replace', path: '/substatus', value: 'Won' }] }));
    expect(badPair.message).toMatch(/Substatus 'Won' is not allowed with status 'Active'/);
  });

  it('refuses any patch on a closed referral, and operations other than add/replace', async () => {
    const r = sim.receive(anIncomingBody());
    const removal = await failure(api.patch({ id: r.id, etag: null, operations: [{ op: 'remove', path: '/details/notes' } as never] }));
    expect(removal.message).toMatch(/'remove' is not supported/);
    sim.microsoftUpdate(r.id, { status: 'Closed', substatus: 'Declined' });
    const closed = await failure(api.patch({ id: r.id, etag: null, operations: [{ op: 'replace', path: '/details/notes', value: 'late' }] }));
    expect(closed).toMatchObject({ code: 'validation', httpStatus: 400 });
    expect((await api.get(r.id))?.details?.notes).toBeUndefined();
  });

  it('waits out a 429 with Retry-After and then succeeds, for reads and writes', async () => {
    const r = sim.receive(anIncomingBody());
    sim.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 0 });
    expect((await api.get(r.id))?.id).toBe(r.id);
    sim.injectFault({ kind: 'rate_limit', times: 1, retryAfterSeconds: 0 });
    const patched: Referral = await api.patch({ id: r.id, etag: null, operations: [{ op: 'add', path: '/details/notes', value: 'hello' }] });
    expect(patched.details?.notes).toBe('hello');
  });

  it('does not repeat a create after a server error (it may have been applied)', async () => {
    sim.injectFault({ kind: 'server_error', times: 1 });
    const before = sim.requests();
    expect(await failure(api.create(createRequest))).toMatchObject({ code: 'transient', httpStatus: 503 });
    expect(sim.requests() - before).toBe(1);
  });

  it('a revoked grant is an auth error, not a silent empty result', async () => {
    sim.revokeTokens();
    expect(await failure(api.get('x'))).toMatchObject({ code: 'auth', httpStatus: 401 });
  });
});
