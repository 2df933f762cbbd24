/**
 * The web console under /console: server-rendered pages (eta through @fastify/view) over the same
 * store, engine and operator actions as the CLI and the admin API. Login exchanges the admin
 * token for a session cookie; every form carries the session's CSRF token.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../app';
import type { Metrics } from '../../metrics';
import type { OperatorActions } from '../../services/operator-actions';
import { registerConsoleActions } from './actions';
import { consoleGuard, consoleSession, formField } from './guard';
import { registerConsolePages } from './pages';
import { SESSION_COOKIE, SessionStore, sameSecret, sessionSetCookie } from './sessions';

export interface ConsoleOptions {
  app: App;
  metrics: Metrics;
  actions: OperatorActions;
  /** Instances with a run going now (the scheduler knows). */
  busy: () => string[];
  sessionTtlMs?: number;
}

export interface ConsoleDeps extends ConsoleOptions {
  sessions: SessionStore;
}

/** From src/ (tests) or dist/src/ (built): the templates stay in the source tree. */
function consoleDir(): string {
  if (existsSync(path.join(__dirname, 'views'))) return __dirname;
  let dir = __dirname;
  for (let i = 0; i < 6; i += 1) {
    const candidate = path.join(dir, 'src', 'http', 'console');
    if (existsSync(path.join(candidate, 'views'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`console templates not found from ${__dirname}`);
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the console's own form posts.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const MAX_NAME = 60;

function operatorName(raw: string | undefined): string {
  const name = (raw ?? '').trim().replace(/[^\w.@ -]/g, '').slice(0, MAX_NAME);
  return name === '' ? 'admin' : name;
}

function registerLogin(scope: FastifyInstance, deps: ConsoleDeps, loginPage: (reply: FastifyReply, status: number, error?: string) => Promise<unknown>): void {
  const secure = (protocol: string): boolean => protocol === 'https';
  scope.get('/login', { config: { public: true } }, async (_request, reply) => loginPage(reply, 200));
  scope.post('/login', { config: { public: true } }, async (request, reply) => {
    const expected = deps.app.config.http.adminToken ?? '';
    if (expected === '') return loginPage(reply, 401, 'The console is disabled: no admin token is configured.');
    if (!sameSecret(expected, formField(request.body, 'token'))) {
      deps.app.logger.warn('console login refused', { event: 'console.login', ok: false });
      return loginPage(reply, 401, 'That token is not the admin token.');
    }
    const session = deps.sessions.create(operatorName(formField(request.body, 'name')));
    deps.app.logger.info('console login', { event: 'console.login', ok: true, actor: `console:${session.name}` });
    void reply.header('set-cookie', sessionSetCookie({ id: session.id, maxAgeSeconds: Math.floor(deps.sessions.ttlMs / 1000), secure: secure(request.protocol) }));
    return reply.code(303).header('location', '/console/').send();
  });
  scope.post('/logout', async (request, reply) => {
    deps.sessions.end(consoleSession(request).id);
    void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict`);
    return reply.code(303).header('location', '/console/login').send();
  });
}

function registerAssets(scope: FastifyInstance, dir: string): void {
  const assets: Record<string, { type: string; body: string }> = {
    'console.css': { type: 'text/css; charset=utf-8', body: readFileSync(path.join(dir, 'assets', 'console.css'), 'utf8') },
    'console.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(path.join(dir, 'assets', 'console.js'), 'utf8') },
  };
  // Styles and the refresh script hold no data; the login page needs them before any session.
  scope.get<{ Params: { name: string } }>('/assets/:name', { config: { public: true } }, async (request, reply) => {
    const asset = assets[request.params.name];
    if (asset === undefined) return reply.code(404).type('text/plain').send('not found');
    return reply.type(asset.type).send(asset.body);
  });
}

export function registerConsole(server: FastifyInstance, options: ConsoleOptions): void {
  const deps: ConsoleDeps = { ...options, sessions: new SessionStore(() => options.app.clock.now().getTime(), options.sessionTtlMs) };
  const dir = consoleDir();
  void server.register(
    async (scope) => {
      await scope.register(formbody, { bodyLimit: 64 * 1024 });
      // Synchronous eta (no async templates): every value is read before rendering starts.
      await scope.register(view, { engine: { eta: new Eta({ autoEscape: true }) }, root: path.join(dir, 'views'), production: true });
      const loginPage = async (reply: FastifyReply, status: number, error?: string): Promise<unknown> =>
        reply.code(status).view('login', { title: 'Log in', error: error ?? null, tokenConfigured: (deps.app.config.http.adminToken ?? '') !== '' });
      scope.addHook('onSend', async (_request, reply, payload) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) void reply.header(name, value);
        return payload;
      });
      scope.addHook('preHandler', consoleGuard({ sessions: deps.sessions, loginPage }));
      registerAssets(scope, dir);
      registerLogin(scope, deps, loginPage);
      registerConsolePages(scope, deps);
      registerConsoleActions(scope, deps);
    },
    { prefix: '/console' },
  );
}
