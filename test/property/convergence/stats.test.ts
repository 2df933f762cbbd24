import fc from 'fast-check';
import { commandArbitraries } from './commands';
import { startWorld, type Origin } from './world';

it('stats', async () => {
  const tally = new Map<string, number>();
  const bump = (k: string, n = 1) => tally.set(k, (tally.get(k) ?? 0) + n);
  const deals: Origin[] = ['sf', 'dyn', 'inbound', 'inbound'];
  await fc.assert(fc.asyncProperty(fc.commands(commandArbitraries(4), { maxCommands: 25, size: '+1' }), fc.constantFrom<'flag' | 'enforce'>('flag', 'enforce'), async (cmds, policy) => {
    const w = await startWorld({ policy, owners: {}, deals, initialSync: true });
    try {
      bump('commands', [...cmds].length); await fc.asyncModelRun(() => ({ model: { steps: 0 }, real: w }), cmds);
      for (let i = 0; i < 3; i += 1) await w.h.syncAll();
      for (const t of w.trace) {
        const k = t.replace(/\(deal \d+, /, '(').replace(/ on .*$/, '').replace(/ = .*\)/, ')').replace(/: pulled.*/, '').replace(/expired \[\]/, 'none').replace(/expired \[.+\]/, 'EXPIRED').replace(/\(\d+ days\)/, '');
        bump(k);
      }
      const { items } = await w.h.store.listOpportunities({ view: 'all', limit: 100 });
      for (const o of items) bump(`final stage ${o.opportunity.direction} ${o.opportunity.stage}`);
      for (const c of await w.h.store.listConflicts({})) bump(`conflict ${c.kind} ${c.field} ${c.outcome} ${c.status}`);
      for (const d of await w.h.store.listDeadLetters({})) bump(`deadletter ${d.code}`);
    } finally { await w.h.close(); }
  }), { numRuns: 150 });
  console.log([...tally.entries()].sort().map(([k, v]) => `${v}\t${k}`).join('\n'));
}, 600000);
