/** Pure parts of the CLI and admin API: input shapes, filters, failure reports, table layout. */
import { parseCommandBody } from '../../../src/cli/operations/command-input';
import { describeFailure, InputError, NotFoundError } from '../../../src/cli/operations/errors';
import { formatPath, outboundSchema, parseInput } from '../../../src/cli/operations/input-schemas';
import { toFilter } from '../../../src/cli/operations/opportunities';
import { formatAge, formatTable } from '../../../src/cli/table';
import { RuleViolation } from '../../../src/core/rules';
import { StaleVersionError } from '../../../src/errors';
import { aPartnerInvitation, anOutboundInput } from '../core/builders';

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['dealName'], 'dealName'],
    [['team', 0, 'email'], 'team[0].email'],
    [['customer', 'location', 'country'], 'customer.location.country'],
  ] as const)('%j -> %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('parseInput', () => {
  it('fills defaults so a minimal document becomes a full OutboundInput', () => {
    const { customer, dealName, estimatedValue, estimatedCloseDate } = anOutboundInput();
    const parsed = parseInput(outboundSchema, { customer: { name: customer.name, location: { country: 'FR' } }, dealName, estimatedValue, estimatedCloseDate }, 'x');
    expect(parsed).toMatchObject({ crmId: null, notes: null, team: [], microsoftHelpType: 'none', partnerInvitations: [], customer: { duns: null, contact: null, contactConsent: false } });
  });

  it('rejects unknown keys, naming them', () => {
    expect(() => parseInput(outboundSchema, { ...anOutboundInput(), dealname: 'typo' }, 'outbound opportunity')).toThrow(/invalid outbound opportunity: \(root\): .*dealname/);
  });
});

describe('parseCommandBody', () => {
  it('accept keeps only the changes given (absent is not undefined)', () => {
    const { command } = parseCommandBody('accept', { dealName: 'Deal', notes: 'n' });
    expect(command).toEqual({ kind: 'accept', dealName: 'Deal', changes: { notes: 'n' } });
    expect(Object.keys(command.kind === 'accept' ? command.changes : {})).toEqual(['notes']);
  });

  it('edit carries expectedVersion apart from the changes', () => {
    expect(parseCommandBody('edit', { dealName: 'D', expectedVersion: 4 })).toEqual({ command: { kind: 'edit', changes: { dealName: 'D' } }, expectedVersion: 4 });
  });

  it('invite of a partner gets a fresh invitation id', () => {
    const a = parseCommandBody('invite', { kind: 'partner', invitation: aPartnerInvitation() }).command;
    const b = parseCommandBody('invite', { kind: 'partner', invitation: aPartnerInvitation() }).command;
    expect(a.kind).toBe('invitePartner');
    expect(a.kind === 'invitePartner' && b.kind === 'invitePartner' && a.invitationId !== b.invitationId).toBe(true);
  });

  it('decline without a reason names the path', () => {
    expect(() => parseCommandBody('decline', {})).toThrow(InputError);
    try {
      parseCommandBody('decline', {});
    } catch (error) {
      expect((error as InputError).issues.map((i) => i.path)).toEqual(['reason']);
    }
  });
});

describe('toFilter', () => {
  it('splits comma lists and checks every value', () => {
    expect(toFilter({ view: 'archived', stage: 'won,lost', type: ['p2p'], limit: '20' })).toEqual({ view: 'archived', stage: ['won', 'lost'], type: ['p2p'], limit: 20 });
    expect(() => toFilter({ stage: 'won,done' })).toThrow(/unknown stage done/);
    expect(() => toFilter({ limit: '0' })).toThrow(/limit/);
  });
});

describe('describeFailure', () => {
  it('R16 refusals say what was refused and by which rule', () => {
    const f = describeFailure(new RuleViolation({ rule: 'R16', message: 'a won opportunity is final; only the favorite mark may change', fields: ['stage'] }), 'accept opportunity 123');
    expect(f.message).toBe('refused by R16: accept opportunity 123: a won opportunity is final; only the favorite mark may change');
    expect(f).toMatchObject({ kind: 'rule', httpStatus: 409, body: { rule: 'R16', fields: ['stage'] } });
  });

  it('maps stale versions, not-found and input errors to 409, 404 and 400', () => {
    expect(describeFailure(new StaleVersionError({ entity: 'opportunity', id: 'o', expected: 1, actual: 2 }), 'x').httpStatus).toBe(409);
    expect(describeFailure(new NotFoundError('opportunity', 'o'), 'x').httpStatus).toBe(404);
    expect(describeFailure(new InputError('body', [{ path: 'a', message: 'b' }]), 'x').httpStatus).toBe(400);
  });

  it('keeps the text of unexpected errors out of the HTTP body', () => {
    const f = describeFailure(new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2'), 'list opportunities');
    expect(f.httpStatus).toBe(500);
    expect(JSON.stringify(f.body)).not.toContain('hunter2');
  });
});

describe('tables', () => {
  it('aligns columns, shows nulls as -, and shortens long cells', () => {
    const text = formatTable(['ID', 'NAME'], [['1', 'short'], ['22', null], ['3', 'x'.repeat(80)]]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('ID  NAME');
    expect(lines[2]).toBe('22  -');
    expect(lines[3]?.length).toBeLessThan(60);
  });

  it.each([[null, '-'], [45, '45s'], [600, '10m'], [7200, '2h'], [259200, '3d']] as const)('formatAge(%p) = %s', (s, text) => {
    expect(formatAge(s)).toBe(text);
  });
});
