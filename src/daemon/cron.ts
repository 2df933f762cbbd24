/**
 * The clock the daemon schedules by, behind a port so tests can fire ticks by hand. The real one
 * is node-cron (5 fields, or 6 with seconds first).
 */
import cron from 'node-cron';
import { ConfigError } from '../errors';

export interface CronJob {
  stop(): void;
}

/** Calls `tick` at every time `expression` matches, until the returned job is stopped. */
export type ScheduleFn = (params: { expression: string; name: string; tick: () => void }) => CronJob;

export function assertCronExpression(expression: string, what: string): void {
  if (!cron.validate(expression)) throw new ConfigError(`${what}: invalid cron expression "${expression}"`);
}

export const nodeCronSchedule: ScheduleFn = ({ expression, name, tick }) => {
  // Overlap is handled by the scheduler (it logs and counts skipped ticks), so node-cron's
  // own noOverlap stays off and every tick reaches us.
  const task = cron.schedule(expression, () => tick(), { name });
  return { stop: () => void task.destroy() };
};
