/** `cosell-sync opportunities ...` in-process against a real SQLite store. */
import { aCustomerWithConsentedContact, aPartnerInvitation, anInboundInput, anOutboundInput } from '../../unit/core/builders';
import { createHarness, runCli, type Harness } from './harness';

interface OppJson {
  ok: boolean;
  version: number;
  opportunity: { id: string; stage: string; direction: string; favorite: boolean; dealName: string; notes: string | null; estimatedValue: { amount: number; currency: string }; invitations: unknown[] };
}

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.cleanup();
});

async function createOutbound(id = 'opp-out', overrides = {}): Promise<OppJson> {
  const file = h.jsonFile(`${id}.json`, { id, ...anOutboundInput(overrides) });
  const res = await runCli(h, ['--json', 'opportunities', 'create', '--file', file]);
  expect(res.code).toBe(0);
  return res.json<OppJson>();
}

async function receive(id = 'opp-in'): Promise<OppJson> {
  const file = h.jsonFile(`${id}.json`, { id, ...anInboundInput() });
  const res = await runCli(h, ['--json', 'opportunities', 'receive', '--file', file]);
  expect(res.code).toBe(0);
  return res.json<OppJson>();
}

describe('opportunities create and receive', () => {
  it('creates an outbound opportunity from a JSON file, accepted from the start (R7)', async () => {
    const out = await createOutbound();
    expect(out.opportunity).toMatchObject({ id: 'opp-out', direction: 'outbound', stage: 'accepted' });
    expect(out.version).toBe(1);
    const events = await h.store.listEvents(out.opportunity.id as never);
    expect(events[0]?.source).toEqual({ kind: 'user', name: 'tester' });
  });

  it('names the JSON path of every shape error and writes nothing', async () => {
    const input = anOutboundInput();
    const bad = { ...input, customer: { ...input.customer, location: { city: 'Lyon' } }, team: [{ name: 'x', phone: 1 }] };
    const res = await runCli(h, ['opportunities', 'create', '--file', h.jsonFile('bad.json', bad)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('customer.location.country');
    expect(res.stderr).toContain('team[0].phone');
    expect(res.stderr).toContain('team[0].email');
    expect((await h.store.listOpportunities({})).items).toHaveLength(0);
  });

  it('reports a file that is not JSON', async () => {
    const res = await runCli(h, ['opportunities', 'create', '--file', h.jsonFile('broken.json', '{ nope')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/invalid JSON file .*broken\.json: \(root\)/);
  });

  it('passes rule refusals of the core through with their rule (R3: deal name required)', async () => {
    const res = await runCli(h, ['opportunities', 'create', '--file', h.jsonFile('noname.json', anOutboundInput({ dealName: '' }))]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/refused by R\d+: create opportunity: /);
  });

  it('receives an inbound referral in the received stage and lists it in the inbound view', async () => {
    await receive();
    await createOutbound();
    const res = await runCli(h, ['--json', 'opportunities', 'list', '--view', 'inbound']);
    expect(res.code).toBe(0);
    const page = res.json<{ items: { id: string; stage: string }[]; nextCursor: string | null }>();
    expect(page.items.map((i) => [i.id, i.stage])).toEqual([['opp-in', 'received']]);
    const human = await runCli(h, ['opportunities', 'list']);
    expect(human.stdout).toMatch(/^ID\s+DIRECTION\s+TYPE\s+STAGE/);
    expect(human.stdout).toContain('opp-out');
    expect(human.stdout).toContain('2 shown');
  });

  it('pages with --limit and --cursor', async () => {
    for (const id of ['a1', 'a2', 'a3']) await createOutbound(id);
    const first = (await runCli(h, ['--json', 'opportunities', 'list', '--limit', '2'])).json<{ items: { id: string }[]; nextCursor: string }>();
    expect(first.items).toHaveLength(2);
    const second = (await runCli(h, ['--json', 'opportunities', 'list', '--limit', '2', '--cursor', first.nextCursor])).json<{ items: { id: string }[] }>();
    expect([...first.items, ...second.items].map((i) => i.id).sort()).toEqual(['a1', 'a2', 'a3']);
  });
});

describe('opportunity commands', () => {
  it('accepts a referral with a deal name, taking the currency of the stored value when only --value is given', async () => {
    await receive();
    const res = await runCli(h, ['--json', 'opportunities', 'accept', 'opp-in', '--deal-name', 'Contoso demo', '--value', '65000']);
    expect(res.code).toBe(0);
    expect(res.json<OppJson>().opportunity).toMatchObject({ stage: 'accepted', dealName: 'Contoso demo', estimatedValue: { amount: 65000, currency: 'USD' } });
  });

  it('declines a referral with a reason', async () => {
    await receive();
    const res = await runCli(h, ['opportunities', 'decline', 'opp-in', '--reason', 'Not our market']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('declined opp-in: stage declined');
  });

  it('edits from flags and from a JSON patch file', async () => {
    await createOutbound();
    expect((await runCli(h, ['opportunities', 'edit', 'opp-out', '--notes', 'call back Monday'])).code).toBe(0);
    const patch = h.jsonFile('patch.json', { dealName: 'Renamed deal' });
    const res = await runCli(h, ['--json', 'opportunities', 'edit', 'opp-out', '--file', patch]);
    expect(res.code).toBe(0);
    expect(res.json<OppJson>().opportunity).toMatchObject({ dealName: 'Renamed deal', notes: 'call back Monday' });
    expect(res.json<OppJson>().version).toBe(3);
  });

  it('invites Microsoft on an outbound deal with a consenting customer contact', async () => {
    await createOutbound('opp-out', { customer: aCustomerWithConsentedContact() });
    const res = await runCli(h, ['--json', 'opportunities', 'invite', 'opp-out', '--microsoft', '--help-type', 'technical-architecture']);
    expect(res.code).toBe(0);
    expect(res.json<OppJson>().opportunity.invitations).toHaveLength(1);
  });

  it('invites a partner from a JSON file', async () => {
    await createOutbound('opp-out', { customer: aCustomerWithConsentedContact() });
    const file = h.jsonFile('invitation.json', aPartnerInvitation());
    const res = await runCli(h, ['--json', 'opportunities', 'invite', 'opp-out', '--partner-file', file]);
    expect(res.code).toBe(0);
    expect(res.json<OppJson>().opportunity.invitations).toEqual([expect.objectContaining({ invitee: { kind: 'partner', partnerId: 'partner-42', partnerName: 'Fabrikam' } })]);
  });

  it('shows one opportunity with its event log', async () => {
    await createOutbound();
    await runCli(h, ['opportunities', 'favorite', 'opp-out']);
    const json = (await runCli(h, ['--json', 'opportunities', 'show', 'opp-out'])).json<{ version: number; events: { kind: string }[] }>();
    expect(json.version).toBe(2);
    expect(json.events).toHaveLength(2);
    const human = await runCli(h, ['opportunities', 'show', 'opp-out']);
    expect(human.stdout).toMatch(/stage:\s+accepted/);
    expect(human.stdout).toContain('events:');
  });

  it('fails with exit 1 on an unknown opportunity', async () => {
    const res = await runCli(h, ['opportunities', 'win', 'nope']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('opportunity nope not found');
  });
});

describe('R16: a terminal opportunity refuses every change through the CLI; favorite still toggles', () => {
  const changes: [string, string[]][] = [
    ['accept', ['accept', 'opp-out', '--deal-name', 'Again']],
    ['decline', ['decline', 'opp-out', '--reason', 'Too late']],
    ['edit', ['edit', 'opp-out', '--notes', 'late note']],
    ['invite', ['invite', 'opp-out', '--microsoft', '--help-type', 'general']],
    ['win', ['win', 'opp-out']],
    ['lose', ['lose', 'opp-out']],
  ];

  it.each(changes)('R16 refuses %s on a won opportunity, naming the rule', async (verb, args) => {
    await createOutbound();
    expect((await runCli(h, ['opportunities', 'win', 'opp-out'])).code).toBe(0);
    const res = await runCli(h, ['opportunities', ...args]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`refused by R16: ${verb === 'invite' ? 'invite on' : verb} opportunity opp-out`);
    const stored = await h.store.getOpportunity('opp-out' as never);
    expect(stored?.version).toBe(2);
    expect(stored?.opportunity.stage).toBe('won');
  });

  it('R16 refusal in --json carries the rule and fields', async () => {
    await createOutbound();
    await runCli(h, ['opportunities', 'lose', 'opp-out']);
    const res = await runCli(h, ['--json', 'opportunities', 'win', 'opp-out']);
    expect(res.code).toBe(1);
    expect(res.json()).toMatchObject({ ok: false, error: 'rule', rule: 'R16' });
  });

  it('R16 leaves the favorite mark free on a won opportunity (R1)', async () => {
    await createOutbound();
    await runCli(h, ['opportunities', 'win', 'opp-out']);
    const on = await runCli(h, ['--json', 'opportunities', 'favorite', 'opp-out']);
    expect(on.code).toBe(0);
    expect(on.json<OppJson>().opportunity).toMatchObject({ favorite: true, stage: 'won' });
    const off = await runCli(h, ['--json', 'opportunities', 'favorite', 'opp-out', '--off']);
    expect(off.code).toBe(0);
    expect(off.json<OppJson>().opportunity).toMatchObject({ favorite: false, stage: 'won' });
  });
});
