/**
 * Runs the notifier after sync runs and expiry sweeps: one tick at a time; a request made while a
 * tick runs asks for one more tick afterwards (what that run changed is seen). Never throws.
 */
import type { Logger } from '../log';

export class NotifyTicker {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly deps: {
      tick: (signal: AbortSignal) => Promise<unknown>;
      signal: () => AbortSignal;
      logger: Logger;
    },
  ) {}

  request(): void {
    if (this.deps.signal().aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no tick is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const signal = this.deps.signal();
      if (signal.aborted) return;
      try {
        await this.deps.tick(signal);
      } catch (error) {
        this.deps.logger.error('notification tick failed', { event: 'notify.tick', err: error });
      }
    } while (this.again);
  }
}
