/** maxLength both ways, per onTooLong: cut with an ellipsis within the limit, or refused naming the field and lengths. */
import { buildCodec } from '../../../src/mapping/codec';
import { isValueRefused } from '../../../src/mapping/refusal';
import { FIELD_SCHEMAS } from '../../../src/mapping/schema';
import { truncateText } from '../../../src/mapping/text-length';

const stringSpec = (extra: Record<string, unknown>) => FIELD_SCHEMAS.string.parse({ type: 'string', crm: 'Name', maxLength: 10, ...extra });

describe('truncateText', () => {
  it.each([
    ['short', 10, 'short'],
    ['exactly 10', 10, 'exactly 10'],
    ['eleven char', 10, 'eleven ch…'],
    ['😀😀😀😀😀😀', 4, '😀😀😀…'],
  ])('%p to %p', (text, max, expected) => {
    expect(truncateText(text, max)).toBe(expected);
    expect(Array.from(truncateText(text, max)).length).toBeLessThanOrEqual(max);
  });
});

describe('string maxLength', () => {
  it('defaults to deadLetter', () => {
    expect(stringSpec({}).onTooLong).toBe('deadLetter');
  });

  it('deadLetter: writing a longer text is refused with the CRM field and both lengths', () => {
    const codec = buildCodec('salesforce', 'dealName', stringSpec({}));
    expect(codec.write('0123456789')).toEqual({ Name: '0123456789' });
    let caught: unknown;
    try {
      codec.write('x'.repeat(100_000));
    } catch (error) {
      caught = error;
    }
    expect(isValueRefused(caught)).toBe(true);
    expect((caught as Error).message).toBe("text of 100000 characters cannot be written to Name: the mapping's maxLength for it is 10");
  });

  it('deadLetter: reading a longer text is a mapping error naming the field', () => {
    const codec = buildCodec('salesforce', 'dealName', stringSpec({}));
    expect(codec.read({ Name: 'x'.repeat(11) })).toEqual({ ok: false, crmField: 'Name', message: "text of 11 characters read from Name is too long: the mapping's maxLength for it is 10" });
    expect(codec.read({ Name: 'x'.repeat(10) })).toEqual({ ok: true, value: 'x'.repeat(10) });
  });

  it('truncate: both ways cut to the limit with an ellipsis', () => {
    const codec = buildCodec('salesforce', 'dealName', stringSpec({ onTooLong: 'truncate' }));
    expect(codec.write('Contoso cloud migration')).toEqual({ Name: 'Contoso c…' });
    expect(codec.read({ Name: 'Contoso cloud migration' })).toEqual({ ok: true, value: 'Contoso c…' });
  });

  it('json: a JSON text longer than maxLength is refused both ways (a cut one would not parse)', () => {
    const spec = FIELD_SCHEMAS.json.parse({ type: 'json', crm: 'Team__c', maxLength: 20 });
    const codec = buildCodec('salesforce', 'team', spec);
    expect(() => codec.write([{ name: 'Ana Seller', phone: '+33 1', email: 'ana@partner.example' }])).toThrow(/cannot be written to Team__c: the mapping's maxLength for it is 20/);
    expect(codec.read({ Team__c: JSON.stringify([{ name: 'Ana Seller', phone: '+33 1', email: 'a@b.c' }]) })).toMatchObject({ ok: false, crmField: 'Team__c' });
  });

  it('rejects an unknown onTooLong in the mapping schema', () => {
    expect(FIELD_SCHEMAS.string.safeParse({ type: 'string', crm: 'Name', maxLength: 5, onTooLong: 'drop' }).success).toBe(false);
  });
});
