/** SIGTERM/SIGINT handling, tested by emitting on a stand-in for the process. */
import { EventEmitter } from 'node:events';
import { installSignalHandlers } from '../../../src/daemon/signals';
import { MemoryLogger } from './fakes';

describe('installSignalHandlers', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s starts one graceful stop; a second signal is only logged', async (signal) => {
    const source = new EventEmitter();
    const logger = new MemoryLogger();
    const stop = jest.fn(async (_reason: string) => undefined);
    const installed = installSignalHandlers({ stop, logger, source });
    source.emit(signal, signal);
    source.emit('SIGTERM', 'SIGTERM');
    expect(stop.mock.calls).toEqual([[signal]]);
    expect(logger.events('daemon.signal').map((l) => l.level)).toEqual(['info', 'warn']);
    installed.uninstall();
    expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
  });

  it('logs a failed stop instead of leaving a rejected promise', async () => {
    const source = new EventEmitter();
    const logger = new MemoryLogger();
    const installed = installSignalHandlers({ stop: async () => Promise.reject(new Error('store close failed')), logger, source });
    installed.handler('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(logger.events('daemon.stop')).toEqual([expect.objectContaining({ level: 'error' })]);
  });
});
