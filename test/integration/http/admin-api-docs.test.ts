/**
 * docs/admin-api.md documents every route the daemon registers (a route added without its line
 * fails here), and list limits stay within 1-500.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../src/http/server';
import { Metrics } from '../../../src/metrics';
import { createHarness, type Harness } from '../cli/harness';

let h: Harness;
let server: FastifyInstance;
const routes: string[] = [];

beforeEach(async () => {
  h = await createHarness();
  server = createHttpServer({ app: h.app, metrics: new Metrics() });
  routes.length = 0;
  // Plugins (the /api routes) load at ready(); routes registered before this hook are read below.
  server.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  await server.ready();
});
afterEach(async () => {
  await server.close();
  await h.cleanup();
});

/** `| GET | `/api/x` |` rows of the document. */
function documented(): Set<string> {
  const text = readFileSync(path.resolve(__dirname, '../../../docs/admin-api.md'), 'utf8');
  return new Set([...text.matchAll(/^\| (GET|POST|PATCH|PUT|DELETE) \| `([^`]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`));
}

describe('docs/admin-api.md', () => {
  it('documents every registered route, and no route that does not exist', async () => {
    const health = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
    for (const url of health) {
      const [method, route] = url.split(' ') as [string, string];
      expect(server.hasRoute({ method: method as 'GET', url: route })).toBe(true);
    }
    const registered = new Set([...health, ...routes]);
    expect(routes.length).toBeGreaterThan(10);
    expect([...registered].filter((r) => !documented().has(r))).toEqual([]);
    expect([...documented()].filter((r) => !registered.has(r))).toEqual([]);
  });
});

describe('GET /api/conflicts limit', () => {
  const auth = { authorization: 'Bearer test-admin-token' };
  it.each(['-1', '0', '501', '2.5', 'abc'])('refuses limit=%s with 400', async (limit) => {
    const res = await server.inject({ method: 'GET', url: `/api/conflicts?limit=${limit}`, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/limit/);
  });
  it.each(['1', '500'])('accepts limit=%s', async (limit) => {
    const res = await server.inject({ method: 'GET', url: `/api/conflicts?limit=${limit}`, headers: auth });
    expect(res.statusCode).toBe(200);
  });
});
