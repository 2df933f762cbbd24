/** Runs a command as a child process and measures its wall time and peak resident memory (Linux /proc VmHWM). */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcessFigures {
  code: number | null;
  ms: number;
  /** Peak resident set size in MB, read from /proc/<pid>/status while it ran (null where /proc is missing). */
  peakRssMb: number | null;
  /** Bytes the process handed to write() (Linux /proc/<pid>/io wchar, last sample before it exited), in MB: the store's WAL and database writes, and its output. */
  writtenMb: number | null;
  stdout: string;
  stderr: string;
}

function vmHwmKb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function wcharBytes(pid: number): number | null {
  try {
    const m = /wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function runMeasured(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessFigures> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak: number | null = null;
    let written: number | null = null;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const sample = (): void => {
      if (child.pid === undefined) return;
      const kb = vmHwmKb(child.pid);
      if (kb !== null) peak = Math.max(peak ?? 0, kb);
      written = wcharBytes(child.pid) ?? written;
    };
    const timer = setInterval(sample, 20);
    child.once('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearInterval(timer);
      resolve({
        code, ms: Number((process.hrtime.bigint() - started) / 1_000_000n), peakRssMb: peak === null ? null : Math.round(peak / 1024),
        writtenMb: written === null ? null : Math.round(written / 1024 / 1024), stdout, stderr,
      });
    });
  });
}

/** Starts a long-running command; returns a stopper that sends SIGTERM and reports the figures. */
export function startMeasured(command: string, args: readonly string[], env: NodeJS.ProcessEnv): { stop(): Promise<ProcessFigures> } {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let peak: number | null = null;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8').slice(0, 100_000)));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8').slice(0, 100_000)));
  const timer = setInterval(() => {
    if (child.pid === undefined) return;
    const kb = vmHwmKb(child.pid);
    if (kb !== null) peak = Math.max(peak ?? 0, kb);
  }, 50);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    stop: async () => {
      child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 30_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      clearInterval(timer);
      return { code, ms: Number((process.hrtime.bigint() - started) / 1_000_000n), peakRssMb: peak === null ? null : Math.round(peak / 1024), writtenMb: null, stdout, stderr };
    },
  };
}
