import { pushBatchSize } from '../../../src/main';
import type { ConnectorConfig } from '../../../src/config/types';

const config = (kind: 'salesforce' | 'dynamics', batchSize: number, writeConcurrency: number): ConnectorConfig =>
  ({ kind, options: { batchSize, writeConcurrency } }) as unknown as ConnectorConfig;

describe('pushBatchSize', () => {
  it('is one write call of records for each call in flight', () => {
    expect(pushBatchSize(config('salesforce', 200, 4))).toBe(800);
    expect(pushBatchSize(config('dynamics', 1000, 4))).toBe(4000);
    expect(pushBatchSize(config('dynamics', 50, 1))).toBe(50);
  });

  it('counts a Salesforce call as 200 records at most, whatever batchSize says', () => {
    expect(pushBatchSize(config('salesforce', 1000, 2))).toBe(400);
  });
});
