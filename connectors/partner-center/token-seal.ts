/**
 * Sealing of the token cache before it reaches the store: AES-256-GCM with a 32-byte key from an
 * environment variable (base64 or hex), a new 12-byte IV each time, and the grant name as
 * additional authenticated data (a sealed cache cannot be moved to another grant's row).
 * Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError } from '../../src/errors';

export const DEFAULT_KEY_ENV = 'COSELL_TOKEN_KEY';
const KEY_BYTES = 32;
const VERSION = 'v1';

/** The stored cache cannot be opened with the key given: another key sealed it, or it was altered. */
export class TokenCacheKeyError extends ConfigError {
  override name = 'TokenCacheKeyError';
}

function decodeKey(text: string): Buffer | null {
  const value = text.trim();
  if (/^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0 && value.length === KEY_BYTES * 2) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return null;
}

/** Reads the sealing key from `env[name]`; a missing, malformed or short key is a ConfigError naming the variable. */
export function readTokenKey(env: NodeJS.ProcessEnv, name: string = DEFAULT_KEY_ENV): Buffer {
  const raw = env[name];
  const how = `set it to ${KEY_BYTES} random bytes in base64 or hex (e.g. \`openssl rand -base64 32\`)`;
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(`environment variable ${name} is not set: the Partner Center token cache is encrypted with it; ${how}`);
  }
  const key = decodeKey(raw);
  if (key === null) throw new ConfigError(`environment variable ${name} is neither base64 nor hex; ${how}`);
  if (key.length !== KEY_BYTES) throw new ConfigError(`environment variable ${name} decodes to ${key.length} bytes, not ${KEY_BYTES}; ${how}`);
  return key;
}

export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Throws TokenCacheKeyError when the key is not the one that sealed it (or the text was altered). */
export function unseal(key: Buffer, sealed: string, aad: string, keyEnv: string = DEFAULT_KEY_ENV): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new TokenCacheKeyError(`the stored ${aad} token cache is not in a format this version reads (expected ${VERSION}); sign in again`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new TokenCacheKeyError(
      `the stored ${aad} token cache cannot be decrypted with the key in ${keyEnv}: it was stored with another key (or altered); set the key it was stored with, or sign in again`,
      error,
    );
  }
}
