/**
 * The simulator's Entra endpoints speak the v2.0 device authorization grant and refresh token
 * protocol as Microsoft documents them (form bodies in, JSON out, AADSTS-coded errors), checked
 * over plain HTTP without MSAL.
 */
import type { PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { CLIENT_ID, startSim, USER } from './auth-harness';

let sim: PartnerCenterSimulator;
afterEach(async () => sim.close());

const post = async (path: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
  const res = await fetch(`${sim.origin}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
};
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const SCOPE = 'https://api.partner.microsoft.com/user_impersonation offline_access openid profile';

async function deviceCode(): Promise<{ device_code: string; user_code: string }> {
  const res = await post(`/${sim.entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope: SCOPE });
  expect(res.status).toBe(200);
  return res.body as { device_code: string; user_code: string };
}

const tokenRequest = (form: Record<string, string>) => post(`/${sim.entra.tenantId}/oauth2/v2.0/token`, { client_id: CLIENT_ID, ...form });

it('device code response, authorization_pending until approved, then tokens; a code is redeemed once', async () => {
  sim = await startSim({ pollIntervalSeconds: 5 });
  const res = await post(`/${sim.entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID, scope: SCOPE });
  expect(res.body).toEqual({
    user_code: expect.stringMatching(/^[A-Z0-9]{8}$/),
    device_code: expect.any(String),
    verification_uri: `${sim.origin}/devicelogin`,
    expires_in: 900,
    interval: 5,
    message: expect.stringContaining('enter the code'),
  });
  const { device_code, user_code } = res.body as { device_code: string; user_code: string };
  const pending = await tokenRequest({ grant_type: DEVICE_GRANT, device_code });
  expect(pending.status).toBe(400);
  expect(pending.body).toMatchObject({ error: 'authorization_pending', error_codes: [70016], error_description: expect.stringMatching(/^AADSTS70016: /) });
  expect(pending.body).toHaveProperty('trace_id');
  expect(pending.body).toHaveProperty('correlation_id');
  sim.entra.approve(user_code, USER);
  const done = await tokenRequest({ grant_type: DEVICE_GRANT, device_code });
  expect(done.status).toBe(200);
  expect(done.headers.get('cache-control')).toBe('no-store');
  expect(done.body).toMatchObject({ token_type: 'Bearer', scope: 'https://api.partner.microsoft.com/user_impersonation', expires_in: 3600 });
  const idClaims = JSON.parse(Buffer.from(String(done.body['id_token']).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  expect(idClaims).toMatchObject({ preferred_username: USER.username, name: USER.name, tid: sim.entra.tenantId, aud: CLIENT_ID });
  expect(JSON.parse(Buffer.from(String(done.body['client_info']), 'base64url').toString())).toEqual({ uid: idClaims['oid'], utid: sim.entra.tenantId });
  expect(sim.entra.accepts(String(done.body['access_token']))).toBe(true);
  const again = await tokenRequest({ grant_type: DEVICE_GRANT, device_code });
  expect(again.body).toMatchObject({ error: 'invalid_grant', error_codes: [70000] });
});

it('an expired device code answers expired_token', async () => {
  let now = Date.parse('2026-03-02T09:00:00Z');
  sim = await startSim({ now: () => now });
  const { device_code } = await deviceCode();
  now += 901_000;
  const res = await tokenRequest({ grant_type: DEVICE_GRANT, device_code });
  expect(res.body).toMatchObject({ error: 'expired_token', error_codes: [70020] });
});

it('refresh tokens rotate; revoked grants answer invalid_grant AADSTS50173 and their access tokens stop working', async () => {
  sim = await startSim({ rotation: 'revoke-old' });
  const { device_code, user_code } = await deviceCode();
  sim.entra.approve(user_code, USER);
  const first = (await tokenRequest({ grant_type: DEVICE_GRANT, device_code })).body;
  const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(first['refresh_token']), scope: SCOPE });
  expect(refreshed.status).toBe(200);
  expect(refreshed.body['refresh_token']).not.toBe(first['refresh_token']);
  const stale = await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(first['refresh_token']), scope: SCOPE });
  expect(stale.body).toMatchObject({ error: 'invalid_grant', error_codes: [9002313] });
  expect(sim.entra.revokeGrants(USER.username)).toBe(1);
  const revoked = await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(refreshed.body['refresh_token']), scope: SCOPE });
  expect(revoked.status).toBe(400);
  expect(revoked.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173], error_description: expect.stringMatching(/^AADSTS50173: The provided grant has expired due to it being revoked/) });
  expect(sim.entra.accepts(String(refreshed.body['access_token']))).toBe(false);
  const api = await fetch(`${sim.apiBase}/referrals`, { headers: { Authorization: `Bearer ${String(refreshed.body['access_token'])}` } });
  expect(api.status).toBe(401);
});

it('access tokens expire after the lifetime set; the Referrals API refuses them then', async () => {
  let now = Date.parse('2026-03-02T09:00:00Z');
  sim = await startSim({ now: () => now });
  sim.entra.setAccessTokenLifetime(60);
  const { device_code, user_code } = await deviceCode();
  sim.entra.approve(user_code, USER);
  const body = (await tokenRequest({ grant_type: DEVICE_GRANT, device_code })).body;
  expect(body['expires_in']).toBe(60);
  const call = () => fetch(`${sim.apiBase}/referrals`, { headers: { Authorization: `Bearer ${String(body['access_token'])}` } }).then((r) => r.status);
  expect(await call()).toBe(200);
  now += 61_000;
  expect(await call()).toBe(401);
});

it('refuses unknown tenants, unknown clients, missing parameters and other grant types with AADSTS codes', async () => {
  sim = await startSim();
  expect((await post('/other-tenant/oauth2/v2.0/devicecode', { client_id: CLIENT_ID, scope: SCOPE })).body).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
  expect((await post(`/${sim.entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: 'someone-else', scope: SCOPE })).body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  expect((await post(`/${sim.entra.tenantId}/oauth2/v2.0/devicecode`, { client_id: CLIENT_ID })).body).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
  expect((await tokenRequest({ grant_type: 'password', username: 'u', password: 'p' })).body).toMatchObject({ error: 'unsupported_grant_type', error_codes: [70003] });
});
