/**
 * The daemon as a child process, run from the TypeScript sources through register-ts.js (no build
 * step). Its JSON log lines are parsed as they come, so a test can tell where in the sync it was
 * when it got killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(__dirname, '../..');

export interface LogLine {
  level?: string;
  message?: string;
  event?: string;
  connector?: string;
  [key: string]: unknown;
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DaemonProcess {
  child: ChildProcess;
  /** Parsed JSON lines of stdout and stderr, in arrival order. */
  logs: LogLine[];
  /** Lines that were not JSON (the CLI's own output, e.g. the `--json` summary). */
  text: string[];
  exited: Promise<DaemonExit>;
  /** Sends SIGKILL (no clean-up of any kind in the child); resolves when it is gone. */
  kill(): Promise<DaemonExit>;
}

const PULL_EVENTS = new Set(['sync.created', 'sync.stage', 'sync.page_retry']);
const PUSH_EVENTS = new Set(['sync.pushed']);

/**
 * Where the child was by its last log lines: `startup` (loading, before any log line),
 * `<connector>:read` (signed in or reading, no record applied yet), `<connector>:pull` (records
 * being applied), `<connector>:push` (writes going out), `<connector>:done` (its run finished).
 */
export function phaseOf(logs: readonly LogLine[]): string {
  for (let i = logs.length - 1; i >= 0; i -= 1) {
    const line = logs[i] as LogLine;
    const event = line.event ?? '';
    const where = line.connector ?? '?';
    if (PUSH_EVENTS.has(event)) return `${where}:push`;
    if (PULL_EVENTS.has(event)) return `${where}:pull`;
    if (event === 'sync.dead_letter') return `${where}:${typeof line.opportunityId === 'string' ? 'push' : 'pull'}`;
    if (event === 'sync.run.engine') return `${where}:done`;
    if (line.connector !== undefined) return `${where}:read`;
  }
  return 'startup';
}

/** Counts of pull and push log events seen (a progress measure for the kill log). */
export function progressOf(logs: readonly LogLine[]): { created: number; pushed: number } {
  let created = 0;
  let pushed = 0;
  for (const line of logs) {
    if (line.event === 'sync.created') created += 1;
    else if (line.event === 'sync.pushed') pushed += 1;
  }
  return { created, pushed };
}

function collect(stream: NodeJS.ReadableStream | null, logs: LogLine[], text: string[]): void {
  if (!stream) return;
  createInterface({ input: stream }).on('line', (line) => {
    if (line.startsWith('{')) {
      try {
        logs.push(JSON.parse(line) as LogLine);
        return;
      } catch {
        // not a log line: kept as text below
      }
    }
    text.push(line);
  });
}

/** Spawns `cosell-sync <args>` from src/cli/bin.ts with the given extra environment. */
export function spawnDaemon(args: readonly string[], env: Record<string, string>): DaemonProcess {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/register-ts.js'), path.join(ROOT, 'src/cli/bin.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  collect(child.stdout, logs, text);
  collect(child.stderr, logs, text);
  const exited = new Promise<DaemonExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child, logs, text, exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

/**
 * The `--json` output of `sync --once`: the run summaries. The CLI prints them as one JSON
 * document (possibly over several lines) after the log lines.
 */
export function summariesOf(text: readonly string[]): Array<{ connector: string; pulled: number; applied: number; pushed: number; error: string | null; apiCalls: number }> {
  const joined = text.join('\n').trim();
  const start = joined.indexOf('[');
  if (start < 0) throw new Error(`no run summary in the output:\n${joined.slice(0, 2000)}`);
  return JSON.parse(joined.slice(start)) as Array<{ connector: string; pulled: number; applied: number; pushed: number; error: string | null; apiCalls: number }>;
}
