/**
 * For any co-sell values the shipped mappings can carry, co-sell -> CRM -> (the CRM reads it back) ->
 * co-sell gives the same values, for both shipped mappings; the stage too, for the stages the
 * mappings represent distinctly (expired is written like lost and reads back as lost).
 */
import path from 'node:path';
import fc from 'fast-check';
import { COSELL_FIELDS, type CosellField } from '../../src/core/fields';
import { SOLUTION_KINDS, type Stage } from '../../src/core/model';
import { compileMapping, type CompiledMapping } from '../../src/mapping/compile';
import { readMappingFile } from '../../src/mapping/parse';
import type { FieldMappingSpec, MappingFileSpec } from '../../src/mapping/schema';

const ROOT = path.join(__dirname, '../..');

function load(file: string): { spec: MappingFileSpec; compiled: CompiledMapping } {
  const { mapping, issues } = readMappingFile(path.join(ROOT, file), file);
  if (mapping === null) throw new Error(issues.map((i) => i.message).join('\n'));
  return { spec: mapping.spec, compiled: compileMapping(mapping.spec) };
}

// maxLength counts characters (code points): a grapheme may be several.
const text = (max: number) => fc.string({ minLength: 1, maxLength: Math.min(max, 60), unit: 'grapheme' }).filter((s) => Array.from(s).length <= max);
const date = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const team = fc.array(fc.record({ name: text(40), phone: text(20), email: text(40) }), { maxLength: 4 });
const solutions = fc.array(fc.record({ id: text(20), name: text(40), kind: fc.constantFrom(...SOLUTION_KINDS) }), { maxLength: 4 });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

function arbitraryFor(kind: 'salesforce' | 'dynamics', field: CosellField, spec: FieldMappingSpec): fc.Arbitrary<unknown> {
  switch (spec.type) {
    case 'string':
      return nullable(text(spec.maxLength ?? 255));
    case 'boolean':
      return spec.default === undefined ? nullable(fc.boolean()) : fc.boolean();
    case 'number':
      return nullable(fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'date':
    case 'datetime':
      return nullable(date);
    case 'money':
      return nullable(
        fc.record({
          // The CRM keeps `scale` decimal places: amounts it can hold exactly.
          amount:
            spec.scale === undefined
              ? fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true })
              : fc.integer({ min: -1e12, max: 1e12 }).map((cents) => cents / 10 ** (spec.scale ?? 0)),
          currency: fc.constantFrom(...(spec.currencies ?? [spec.fixedCurrency ?? 'USD'])),
        }),
      );
    case 'picklist': {
      const values = fc.constantFrom(...Object.keys(spec.values));
      return spec.default === undefined ? nullable(values) : values;
    }
    case 'json':
      return COSELL_FIELDS[field].kind === 'team' ? nullable<unknown>(team) : nullable<unknown>(solutions);
    case 'lookup':
      return nullable(kind === 'dynamics' ? fc.uuid() : fc.stringMatching(/^701[A-Za-z0-9]{15}$/));
  }
}

/** What the CRM returns when the written record is read back: Dataverse lookups come back as `_x_value` (+ annotation). */
function readBack(spec: MappingFileSpec, written: Record<string, unknown>): Record<string, unknown> {
  if (spec.kind === 'salesforce') return { ...written };
  const names = new Map<string, string>();
  for (const f of spec.fields.values()) {
    if (f.type === 'money') for (const [name, code] of Object.entries(f.currencyValues ?? {})) names.set(code, name);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(written)) {
    const bind = /^(.+)@odata\.bind$/.exec(key);
    if (bind?.[1] !== undefined) {
      out[`_${bind[1]}_value`] = typeof value === 'string' ? /\(([^)]+)\)$/.exec(value)?.[1] : null;
    } else if (key === 'transactioncurrencyid' && typeof value === 'string') {
      out['_transactioncurrencyid_value'] = `00000000-0000-0000-0000-0000000000${value.charCodeAt(0)}`;
      out['_transactioncurrencyid_value@OData.Community.Display.V1.FormattedValue'] = names.get(value) ?? value;
    } else {
      out[key] = value;
    }
  }
  return out;
}

describe.each(['config/mappings/salesforce.yaml', 'config/mappings/dynamics.yaml'])('round trip through %s', (file) => {
  const { spec, compiled } = load(file);
  const roundTripping = [...spec.fields].filter(([, f]) => f.direction === 'both') as [CosellField, FieldMappingSpec][];
  const values = fc.record(Object.fromEntries(roundTripping.map(([name, f]) => [name, arbitraryFor(spec.kind, name, f)])));

  it('maps every field to the CRM and back unchanged', () => {
    expect(roundTripping.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(values, (generated) => {
        const written = compiled.toCrm(generated);
        const back = compiled.toCosell(readBack(spec, written));
        expect(back.errors).toEqual([]);
        for (const [name] of roundTripping) expect(back.values[name]).toEqual(generated[name]);
      }),
      { numRuns: 1000 },
    );
  });

  it('maps the stage (and a decline reason) to the CRM and back', () => {
    const reasons = Object.keys(spec.stage.declineReason?.values ?? {});
    const stages: Stage[] = ['received', 'accepted', 'won', 'lost', 'declined'];
    fc.assert(
      fc.property(fc.constantFrom(...stages), fc.constantFrom(...reasons), (stage, reason) => {
        const declineReason = stage === 'declined' ? reason : null;
        const back = compiled.toCosell(readBack(spec, compiled.toCrm({ stage, declineReason })));
        expect(back.wantedStage).toBe(stage);
        expect(back.declineReason).toBe(declineReason);
      }),
      { numRuns: 1000 },
    );
  });
});
