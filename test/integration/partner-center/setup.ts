import { PassThrough } from 'node:stream';
import { createPartnerCenterConnector } from '../../../connectors/partner-center';
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '../../../connectors/partner-center/simulator';
import { createLogger, type Logger } from '../../../src/log';
import type { ReferralApi, ReferralBody } from '../../../src/ports/referral';

/** A logger whose JSON lines are kept for assertions. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ level: 'debug', format: 'json', stream });
  const lines = (): Record<string, unknown>[] =>
    chunks.join('').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

export const quietLogger = (): Logger => createLogger({ level: 'error', format: 'json', stream: new PassThrough() });

export const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1_000, backoffFactor: 2, jitter: 0 };

export function connectorFor(sim: PartnerCenterSimulator, logger: Logger = quietLogger()): ReferralApi {
  return createPartnerCenterConnector(
    { name: 'pc-test', apiBase: sim.apiBase, retry: FAST_RETRY, timeoutMs: 10_000 },
    { logger, tokens: { token: async () => sim.token } },
  );
}

export async function withSimulator(): Promise<{ sim: PartnerCenterSimulator; api: ReferralApi }> {
  const sim = await startPartnerCenterSimulator();
  return { sim, api: connectorFor(sim) };
}

/** A referral body as Microsoft would send one to us. */
export function anIncomingBody(overrides: Partial<ReferralBody> = {}): ReferralBody {
  return {
    name: 'Contoso supply chain',
    customerProfile: {
      name: 'Contoso Customer Inc',
      address: { addressLine1: 'One Microsoft Way', city: 'Redmond', state: 'WA', postalCode: '98052', country: 'US' },
      team: [],
      ids: [],
    },
    consent: { consentToContact: false },
    details: { dealValue: 50000, currency: 'USD', closingDateTime: '2027-01-31T00:00:00Z', requirements: { solutions: [{ id: 'SOL-1', name: 'Azure', type: 'Name', publisherName: 'Microsoft' }] } },
    team: [{ firstName: 'John', lastName: 'Doe', email: 'john.doe@microsoft.test', phoneNumber: '1231231234' }],
    ...overrides,
  };
}
