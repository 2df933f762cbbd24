/** Sealing of the token cache (AES-256-GCM) and reading its key from the environment. */
import { randomBytes } from 'node:crypto';
import { readTokenKey, seal, TokenCacheKeyError, unseal } from '../../../connectors/partner-center/token-seal';
import { ConfigError } from '../../../src/errors';

const key = randomBytes(32);
const CACHE = JSON.stringify({ RefreshToken: { k: { secret: 'rt-abcdef-very-secret' } } });

describe('seal / unseal', () => {
  it('round-trips, with a new IV each time, and the sealed text does not contain the plain text', () => {
    const a = seal(key, CACHE, 'partner-center');
    const b = seal(key, CACHE, 'partner-center');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toContain('rt-abcdef');
    expect(Buffer.from(a.split('.')[3] ?? '', 'base64url').toString('latin1')).not.toContain('very-secret');
    expect(unseal(key, a, 'partner-center')).toBe(CACHE);
  });

  it('a wrong key, another grant name or an altered text is a TokenCacheKeyError naming the key variable', () => {
    const sealed = seal(key, CACHE, 'partner-center');
    const wrong = () => unseal(randomBytes(32), sealed, 'partner-center', 'MY_KEY');
    expect(wrong).toThrow(TokenCacheKeyError);
    expect(wrong).toThrow(/cannot be decrypted with the key in MY_KEY/);
    expect(() => unseal(key, sealed, 'other-grant')).toThrow(TokenCacheKeyError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    expect(() => unseal(key, [parts[0], parts[1], parts[2], body.toString('base64url')].join('.'), 'partner-center')).toThrow(TokenCacheKeyError);
    expect(() => unseal(key, 'plain text', 'partner-center')).toThrow(/not in a format this version reads/);
  });
});

describe('readTokenKey', () => {
  const raw = randomBytes(32);
  it('takes 32 bytes as base64, base64url or hex', () => {
    expect(readTokenKey({ COSELL_TOKEN_KEY: raw.toString('base64') })).toEqual(raw);
    expect(readTokenKey({ COSELL_TOKEN_KEY: raw.toString('base64url') })).toEqual(raw);
    expect(readTokenKey({ COSELL_TOKEN_KEY: raw.toString('hex') })).toEqual(raw);
    expect(readTokenKey({ OTHER: ` ${raw.toString('hex')}\n` }, 'OTHER')).toEqual(raw);
  });

  it.each([
    [{}, 'environment variable COSELL_TOKEN_KEY is not set'],
    [{ COSELL_TOKEN_KEY: '  ' }, 'environment variable COSELL_TOKEN_KEY is not set'],
    [{ COSELL_TOKEN_KEY: randomBytes(16).toString('base64') }, 'COSELL_TOKEN_KEY decodes to 16 bytes, not 32'],
    [{ COSELL_TOKEN_KEY: randomBytes(31).toString('hex') }, 'COSELL_TOKEN_KEY decodes to'],
    [{ COSELL_TOKEN_KEY: 'not a key!' }, 'COSELL_TOKEN_KEY is neither base64 nor hex'],
  ])('%j is a config error: %s', (env, message) => {
    expect(() => readTokenKey(env)).toThrow(ConfigError);
    expect(() => readTokenKey(env)).toThrow(message);
  });
});
