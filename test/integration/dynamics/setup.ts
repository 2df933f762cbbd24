/** A simulator plus a connector pointed at it, for the Dynamics integration tests. */
import { createDynamicsConnector, type DynamicsConnectorOptions } from '../../../connectors/dynamics';
import { startDynamicsSimulator, type DynamicsSimulator, type DynamicsSimulatorOptions } from '../../../connectors/dynamics/simulator';
import { createLogger, type Logger } from '../../../src/log';
import type { CrmConnector } from '../../../src/ports/connector';
import { Writable } from 'node:stream';

export interface DynamicsRig {
  sim: DynamicsSimulator;
  connector: CrmConnector;
  logger: Logger;
  /** JSON log lines the connector wrote. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export const FIELDS = [
  'name',
  'estimatedvalue',
  'estimatedclosedate',
  'salesstage',
  'statecode',
  'statuscode',
  'cosell_cosellid',
  'cosell_sync',
  'cosell_type',
  'transactioncurrencyid',
] as const;

export async function startRig(
  overrides: Partial<Omit<DynamicsConnectorOptions, 'url' | 'auth'>> = {},
  simOptions: DynamicsSimulatorOptions = {},
): Promise<DynamicsRig> {
  const sim = await startDynamicsSimulator(simOptions);
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done): void {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ format: 'json', stream, level: 'debug' });
  const connector = createDynamicsConnector(
    {
      name: 'dynamics-test',
      url: sim.url,
      auth: { tenantId: sim.tenantId, clientId: sim.clientId, clientSecret: sim.clientSecret, authority: sim.authority },
      retry: { initialDelayMs: 5, maxDelayMs: 2000, maxAttempts: 4, jitter: 0 },
      ...overrides,
    },
    { logger },
  );
  return {
    sim,
    connector,
    logger,
    logs,
    close: async () => {
      await connector.close();
      await sim.close();
    },
  };
}

export function opportunity(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Opportunity ${i}`,
    estimatedvalue: 1000 + i,
    estimatedclosedate: '2026-12-31',
    salesstage: 0,
    cosell_sync: true,
    cosell_cosellid: `cs-${String(i).padStart(6, '0')}`,
    ...extra,
  };
}

export async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}
