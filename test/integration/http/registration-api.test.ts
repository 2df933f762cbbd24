/** R17 over the admin API: POST /api/opportunities/:id/registration, over real HTTP, real SQLite store. */
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { anOutboundInput } from '../../unit/core/builders';
import { createHarness, type Harness } from '../cli/harness';

let h: Harness;
let server: FastifyInstance;
let base: string;
const headers = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' };

beforeEach(async () => {
  h = await createHarness();
  server = createHttpServer({ app: h.app, metrics: new Metrics() });
  base = await server.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await server.close();
  await h.cleanup();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /api/opportunities/:id/registration', () => {
  beforeEach(async () => {
    expect((await post('/api/opportunities', { id: 'opp-r', ...anOutboundInput() })).status).toBe(201);
  });

  it('registers a won deal (R17); it stays won', async () => {
    expect((await post('/api/opportunities/opp-r/win', {})).status).toBe(200);
    const res = await post('/api/opportunities/opp-r/registration', { registrationId: 'REG-7', details: { program: 'MACC' } });
    expect(res.status).toBe(200);
    expect(res.body.opportunity).toMatchObject({ stage: 'won', dealRegistration: { registrationId: 'REG-7', details: { program: 'MACC' } } });
    expect((await h.store.getOpportunity('opp-r' as never))!.opportunity.dealRegistration).toMatchObject({ registrationId: 'REG-7' });
  });

  it('refuses an accepted deal naming R17, and a malformed body naming the path', async () => {
    const refused = await post('/api/opportunities/opp-r/registration', { registrationId: 'REG-7' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(refused.body)).toContain('R17');
    const bad = await post('/api/opportunities/opp-r/registration', { registrationId: 'REG-7', details: { seats: 3 } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('details.seats');
    expect((await h.store.getOpportunity('opp-r' as never))!.opportunity.dealRegistration).toBeNull();
  });
});
