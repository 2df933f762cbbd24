import { startRig, type DynamicsRig } from './setup';
import type { DynamicsFieldMetadata } from '../../../connectors/dynamics';

describe('dynamics describe', () => {
  let rig: DynamicsRig;
  afterEach(async () => rig.close());

  it('reads columns and option sets from EntityDefinitions', async () => {
    rig = await startRig();
    const meta = await rig.connector.describe();
    expect(meta.name).toBe('opportunity');
    const field = (name: string): DynamicsFieldMetadata | undefined => meta.fields.find((f) => f.name === name) as DynamicsFieldMetadata | undefined;
    expect(field('statuscode')?.picklistValues).toEqual(['1', '2', '3', '4', '5']);
    expect(field('statecode')?.picklistOptions).toEqual([
      { value: 0, label: 'Open' },
      { value: 1, label: 'Won' },
      { value: 2, label: 'Lost' },
    ]);
    expect(field('salesstage')?.picklistOptions?.map((o) => o.label)).toEqual(['Qualify', 'Develop', 'Propose', 'Close']);
    expect(field('cosell_helptype')?.picklistOptions?.[1]).toEqual({ value: 100000001, label: 'Technical architecture' });
    expect(field('cosell_declinereason')?.picklistValues).toHaveLength(5);
    expect(field('name')).toMatchObject({ type: 'string', nillable: false, createable: true, updateable: true });
    expect(field('estimatedclosedate')?.type).toBe('date');
    expect(field('estimatedvalue')?.type).toBe('currency');
    expect(field('transactioncurrencyid')).toMatchObject({ type: 'reference', referenceTo: ['transactioncurrency'] });
    expect(field('_transactioncurrencyid_value')?.updateable).toBe(false);
    expect(field('versionnumber')?.updateable).toBe(false);
    expect(field('cosell_sync')?.type).toBe('boolean');
    expect(rig.connector.apiUsage()).toEqual({ calls: 4, used: 4, limit: 6000 });
  });
});
