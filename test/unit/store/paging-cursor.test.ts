import { decodeCursor, encodeCursor } from '../../../src/store/paging';

describe('page cursors', () => {
  it('round-trips a position through an opaque url-safe string', () => {
    const position = { createdAt: '2026-03-02T09:00:00.000Z', id: 'opp/ü+1' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each(['', 'not-a-cursor', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[1,2]').toString('base64url')])(
    'refuses a malformed cursor %p with a StateError',
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ name: 'StateError', code: 'state' }));
    },
  );
});
