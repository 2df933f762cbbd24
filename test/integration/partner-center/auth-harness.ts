/** Partner Center simulator (with its Entra endpoints) + a real store, for the delegated sign-in tests. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { loginPartnerCenter, type DeviceCodePrompt, type PartnerCenterAuthOptions } from '../../../connectors/partner-center/auth';
import { startPartnerCenterSimulator, type EntraOptions, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import type { Logger } from '../../../src/log';
import { createStore, type StateStore } from '../../../src/store';
import { quietLogger } from './setup';

export const PG_URL = process.env['COSELL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const KEY = randomBytes(32).toString('base64');
export const ENV = { COSELL_TOKEN_KEY: KEY };
export const CLIENT_ID = 'cosell-sync-pc-public-client';
export const USER = { username: 'referrals.admin@partner.test', name: 'Referrals Admin' };

export type StoreKind = 'sqlite' | 'postgres';

export async function openStore(kind: StoreKind): Promise<{ store: StateStore; location: { kind: StoreKind; path?: string; schema?: string }; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cosell-pc-auth-'));
    const file = path.join(dir, 'store.db');
    const store = await createStore({ kind: 'sqlite', path: file });
    return { store, location: { kind, path: file }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `pcauth_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const store = await createStore({ kind: 'postgres', url: PG_URL, schema, poolSize: 2 });
  return {
    store,
    location: { kind, schema },
    drop: async () => {
      const client = new Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function startSim(entra: EntraOptions = {}): Promise<PartnerCenterSimulator> {
  return startPartnerCenterSimulator({ entra: { clientIds: [CLIENT_ID], pollIntervalSeconds: 0.05, ...entra } });
}

export const authOptions = (sim: PartnerCenterSimulator, extra: Partial<PartnerCenterAuthOptions> = {}): PartnerCenterAuthOptions => ({
  tenantId: sim.entra.tenantId,
  clientId: CLIENT_ID,
  authority: sim.authority,
  ...extra,
});

/** Signs in as a person would: the code shown is approved on the simulator's side. */
export async function signIn(
  sim: PartnerCenterSimulator,
  store: StateStore,
  params: { env?: NodeJS.ProcessEnv; logger?: Logger; options?: Partial<PartnerCenterAuthOptions>; user?: typeof USER } = {},
): Promise<{ result: Awaited<ReturnType<typeof loginPartnerCenter>>; prompts: DeviceCodePrompt[] }> {
  const prompts: DeviceCodePrompt[] = [];
  const result = await loginPartnerCenter(authOptions(sim, params.options), {
    store,
    env: params.env ?? ENV,
    logger: params.logger ?? quietLogger(),
    onDeviceCode: (prompt) => {
      prompts.push(prompt);
      // The person signs in a moment later: the client sees authorization_pending first.
      setTimeout(() => sim.entra.approve(prompt.userCode, params.user ?? USER), 150);
    },
  });
  return { result, prompts };
}
