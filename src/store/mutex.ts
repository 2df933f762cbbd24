/**
 * Process-local locks for SQLite. SQLite is used by one process only (architecture.md, Scale):
 * better-sqlite3 runs synchronously on the event loop, so a second connection waiting on the
 * file lock (busy_timeout) would block the very loop the lock holder needs to finish. Writers on the
 * same file are therefore queued here, in process, before they reach SQLite.
 */

/** A FIFO async mutex. */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => undefined;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const writeMutexes = new Map<string, AsyncMutex>();
const heldLeases = new Set<string>();

/** The one writer queue of a database file, shared by every store opened on it in this process. */
export function writeMutexFor(file: string): AsyncMutex {
  let mutex = writeMutexes.get(file);
  if (mutex === undefined) {
    mutex = new AsyncMutex();
    writeMutexes.set(file, mutex);
  }
  return mutex;
}

/** Runs `fn` while holding the named lease, or returns null at once when it is held already. */
export async function withLocalLease<T>(key: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T | null> {
  if (heldLeases.has(key)) return null;
  heldLeases.add(key);
  try {
    // A process-local lease cannot be lost while the process lives.
    return await fn(new AbortController().signal);
  } finally {
    heldLeases.delete(key);
  }
}
