/**
 * A self-signed test certificate made with node:crypto alone (RSA 2048, sha256WithRSAEncryption),
 * for the simulator's webhook signatures. A minimal DER writer builds the X.509 v3 TBSCertificate;
 * the key pair lives only in memory, so no private key is ever committed.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([tag]), len(body.length), body]);
const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));

function oid(text: string): Buffer {
  const [a = 0, b = 0, ...rest] = text.split('.').map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const utcTime = (d: Date): Buffer => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, '')}Z`, 'ascii'));
const SHA256_RSA = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));

function name(parts: { cn: string; o: string }): Buffer {
  return seq(set(seq(oid('2.5.4.10'), utf8(parts.o))), set(seq(oid('2.5.4.3'), utf8(parts.cn))));
}

export interface TestCertificate {
  /** PEM of the certificate (public). */
  pem: string;
  /** The same certificate in binary DER (a `.cer` file). */
  der: Buffer;
  privateKey: KeyObject;
}

/** One RSA key pair per process: making one takes tens of milliseconds, and each simulator makes a certificate. */
let keyPair: { publicKey: KeyObject; privateKey: KeyObject } | null = null;

export function createTestCertificate(params: { commonName: string; organization: string; notBefore?: Date; notAfter?: Date }): TestCertificate {
  keyPair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { publicKey, privateKey } = keyPair;
  const notBefore = params.notBefore ?? new Date(Date.now() - 3_600_000);
  const notAfter = params.notAfter ?? new Date(Date.now() + 86_400_000);
  const subject = name({ cn: params.commonName, o: params.organization });
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    SHA256_RSA,
    subject,
    seq(utcTime(notBefore), utcTime(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, SHA256_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----\n`;
  return { pem, der, privateKey };
}
