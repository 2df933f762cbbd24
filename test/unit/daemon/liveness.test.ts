import { Liveness } from '../../../src/daemon/liveness';

describe('Liveness: stalled when work was due with no progress for longer than the bound', () => {
  let now = 0;
  const at = (ms: number): void => {
    now = ms;
  };
  const make = (): Liveness => new Liveness(1000, () => now);

  it.each([
    // [what happens, times (ms) of each step, stalled at the end]
    ['nothing due: never stalled', [], 5000, false],
    ['due at 0, still waiting at 1000 (not past the bound)', [['due', 0]], 1000, false],
    ['due at 0, still waiting at 1001', [['due', 0]], 1001, true],
    ['due at 0, progress at 800, checked at 1700', [['due', 0], ['progress', 800]], 1700, false],
    ['due at 0, progress at 800, checked at 1801', [['due', 0], ['progress', 800]], 1801, true],
    ['due at 0, done at 500, checked at 9000', [['due', 0], ['done', 500]], 9000, false],
    ['due again at 600 while waiting since 0 keeps the first time', [['due', 0], ['due', 600]], 1001, true],
    ['progress of work not due changes nothing', [['progress', 0]], 9000, false],
  ] as const)('%s', (_name, steps, checkAt, stalled) => {
    const liveness = make();
    for (const [kind, time] of steps) {
      at(time);
      liveness[kind]('sf');
    }
    at(checkAt);
    expect(liveness.report().stalled).toBe(stalled);
  });

  it('names each stalled piece of work and for how long', () => {
    const liveness = make();
    at(0);
    liveness.due('sf');
    liveness.due('dyn');
    at(500);
    liveness.progress('dyn');
    at(1200);
    expect(liveness.report()).toEqual({ stalled: true, waiting: [{ name: 'sf', sinceMs: 1200 }] });
  });
});
