/** Test doubles for the daemon: a cron whose ticks tests fire by hand, and a logger that keeps lines. */
import type { ScheduleFn } from '../../../src/daemon/cron';
import type { LogScope, Logger } from '../../../src/log';

export interface ManualJob {
  expression: string;
  name: string;
  tick: () => void;
  stopped: boolean;
}

export class ManualCron {
  readonly jobs: ManualJob[] = [];
  readonly schedule: ScheduleFn = ({ expression, name, tick }) => {
    const job: ManualJob = { expression, name, tick, stopped: false };
    this.jobs.push(job);
    return { stop: () => void (job.stopped = true) };
  };

  /** Fires the job named `name` as a cron tick would (ignored once stopped). */
  fire(name: string): void {
    const job = this.jobs.find((j) => j.name === name);
    if (job === undefined) throw new Error(`no job ${name}`);
    if (!job.stopped) job.tick();
  }
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta: Record<string, unknown>;
}

export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly scope: Record<string, unknown> = {},
  ) {}
  private add(level: LogLine['level'], message: string, meta: Record<string, unknown> = {}): void {
    this.lines.push({ level, message, meta: { ...this.scope, ...meta } });
  }
  debug(m: string, meta?: Record<string, unknown>): void {
    this.add('debug', m, meta);
  }
  info(m: string, meta?: Record<string, unknown>): void {
    this.add('info', m, meta);
  }
  warn(m: string, meta?: Record<string, unknown>): void {
    this.add('warn', m, meta);
  }
  error(m: string, meta?: Record<string, unknown>): void {
    this.add('error', m, meta);
  }
  child(scope: LogScope & Record<string, unknown>): Logger {
    return new MemoryLogger(this.lines, { ...this.scope, ...scope });
  }
  events(event: string): LogLine[] {
    return this.lines.filter((l) => l.meta['event'] === event);
  }
}

/** A promise with its resolve, for holding a run open. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
