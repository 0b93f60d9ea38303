// Approval keys: a passphrase, stretched with scrypt and a stored salt, is the seed of an Ed25519 key.
// Only the public half and the salt are ever written down, so reading every file yields no signing key.
import { createPrivateKey, createPublicKey, randomBytes, scryptSync, sign, verify, type KeyObject } from 'node:crypto';
import { sha256Hex } from './canonical.js';

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  /** base64 */
  salt: string;
}

/** What `approval-key.json` holds. */
export interface KeyFile {
  version: 1;
  algorithm: 'ed25519';
  kdf: KdfParams;
  /** Raw 32-byte Ed25519 public key, base64. */
  publicKey: string;
  created: string;
}

/** scrypt cost: 2^15 (~100 ms here). Only `approve` and `passphrase` pay it; the gate only verifies. */
export const SCRYPT_N = 2 ** 15;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
/** 128·N·r bytes are needed (32 MiB at N=2^15); Node's default ceiling is exactly 32 MiB, so raise it. */
const SCRYPT_MAXMEM = 128 * 1024 * 1024;
export const MIN_PASSPHRASE_LENGTH = 8;
/** Wrong passphrases allowed before `approve` or the terminal gate gives up: one behaviour for both. */
export const PASSPHRASE_ATTEMPTS = 3;

// ASN.1 prefixes that wrap a raw Ed25519 seed (PKCS#8) or public key (SPKI) for Node's crypto.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Why: Node 20 cannot import a raw Ed25519 seed directly; it takes one wrapped as PKCS#8 DER. */
export const privateKeyFromSeed = (seed: Buffer): KeyObject => {
  if (seed.length !== 32) throw new Error(`an Ed25519 seed is 32 bytes, got ${seed.length}`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
};

/** Why: the key file stores the raw 32 bytes; verification needs a KeyObject. */
export const publicKeyFromRaw = (raw: Buffer): KeyObject => {
  if (raw.length !== 32) throw new Error(`an Ed25519 public key is 32 bytes, got ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
};

export const rawPublicKey = (key: KeyObject): Buffer => createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);

/** Why: the passphrase is the only secret; the same passphrase and salt always give the same key. */
export const deriveSigningKey = (passphrase: string, kdf: KdfParams): { privateKey: KeyObject; publicKey: Buffer } => {
  const seed = scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: SCRYPT_MAXMEM });
  const privateKey = privateKeyFromSeed(seed);
  seed.fill(0);
  return { privateKey, publicKey: rawPublicKey(privateKey) };
};

/** Why: `passphrase set` makes a fresh salt and records only what verification needs. */
export const createKeyFile = (passphrase: string, now: Date = new Date()): KeyFile => {
  const kdf: KdfParams = { name: 'scrypt', N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, salt: randomBytes(16).toString('base64') };
  const { publicKey } = deriveSigningKey(passphrase, kdf);
  return { version: 1, algorithm: 'ed25519', kdf, publicKey: publicKey.toString('base64'), created: now.toISOString() };
};

/** Short fingerprint shown to humans and recorded in approvals (which key signed). */
export const keyFingerprint = (file: Pick<KeyFile, 'publicKey'>): string => sha256Hex(Buffer.from(file.publicKey, 'base64')).slice(0, 16);

/** Why: `approve` must tell a wrong passphrase from a right one before signing anything. */
export const passphraseMatches = (passphrase: string, file: KeyFile): KeyObject | null => {
  const { privateKey, publicKey } = deriveSigningKey(passphrase, file.kdf);
  return publicKey.equals(Buffer.from(file.publicKey, 'base64')) ? privateKey : null;
};

export const signMessage = (message: string, key: KeyObject): string => sign(null, Buffer.from(message, 'utf8'), key).toString('base64');

export const verifyMessage = (message: string, signature: string, file: Pick<KeyFile, 'publicKey'>): boolean => {
  try {
    return verify(null, Buffer.from(message, 'utf8'), publicKeyFromRaw(Buffer.from(file.publicKey, 'base64')), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
};
