import { readAhead } from '../../../src/sync/engine';

/** A page source that records when each page was asked for and when its reader was closed. */
function source(pages: number, failAt: number | null = null): { pages: AsyncIterable<number>; log: string[] } {
  const log: string[] = [];
  async function* read(): AsyncGenerator<number> {
    try {
      for (let i = 1; i <= pages; i += 1) {
        log.push(`read ${String(i)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (i === failAt) throw new Error(`page ${String(i)} failed`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  }
  return { pages: read(), log };
}

describe('readAhead', () => {
  it('asks for the next page while the current one is applied, and yields every page in order', async () => {
    const { pages, log } = source(3);
    const seen: number[] = [];
    for await (const page of readAhead(pages)) {
      log.push(`apply ${String(page)} start`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`apply ${String(page)} end`);
      seen.push(page);
    }
    expect(seen).toEqual([1, 2, 3]);
    // Page 2 was requested before page 1's apply ended.
    expect(log.indexOf('read 2')).toBeLessThan(log.indexOf('apply 1 end'));
    expect(log).toContain('closed');
  });

  it('throws a read that failed while a page was applied, after that page', async () => {
    const { pages } = source(3, 2);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    const seen: number[] = [];
    try {
      await expect(
        (async () => {
          for await (const page of readAhead(pages)) {
            await new Promise((resolve) => setTimeout(resolve, 30)); // page 2's read fails meanwhile
            seen.push(page);
          }
        })(),
      ).rejects.toThrow('page 2 failed');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(seen).toEqual([1]);
    expect(unhandled).toEqual([]);
  });

  it('closes the reader when the consumer stops between pages, dropping the page read ahead', async () => {
    const { pages, log } = source(5);
    const seen: number[] = [];
    for await (const page of readAhead(pages)) {
      seen.push(page);
      if (page === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    expect(log).toContain('closed');
    expect(log).not.toContain('read 4');
  });

  it('closes the reader when applying a page throws', async () => {
    const { pages, log } = source(5);
    await expect(
      (async () => {
        for await (const page of readAhead(pages)) if (page === 1) throw new Error('apply failed');
      })(),
    ).rejects.toThrow('apply failed');
    expect(log).toContain('closed');
    expect(log).not.toContain('read 3');
  });

  it('a read that fails after the consumer stopped is dropped, not left unhandled', async () => {
    const { pages, log } = source(3, 2);
    for await (const page of readAhead(pages)) {
      await new Promise((resolve) => setTimeout(resolve, 30)); // page 2's read fails meanwhile
      if (page === 1) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(log).toEqual(['read 1', 'read 2', 'closed']);
  });
});
