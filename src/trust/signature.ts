// Detached signatures on user policy files: the one way a file the agent could write may loosen the gate.
// `<file>.sig` holds the file's sha256, the parsed policy, and an Ed25519 signature (approval key) over both.
// The gate uses the signature's own copy of the policy, so neither YAML nor a user-writable cache is
// ever trusted to say what was signed; a changed file, or a key changed since (new passphrase), fails.
import { existsSync, readFileSync } from 'node:fs';
import { canonicalJson, sha256Hex } from '../approvals/canonical.js';
import { trustedKeys } from '../approvals/key-store.js';
import { keyFingerprint, signMessage, verifyMessage } from '../approvals/keys.js';
import type { Paths } from '../config/paths.js';
import { validatePolicy, type PolicyFile } from '../config/policy.js';
import type { KeyObject } from 'node:crypto';

export interface PolicySignature {
  version: 1;
  /** sha256 (hex) of the signed file's exact bytes. */
  sha256: string;
  /** Fingerprint of the approval key that signed. */
  key: string;
  signed: string;
  policy: PolicyFile;
  /** base64 Ed25519 over messageOf(sha256, policy). */
  signature: string;
}

export const signatureFileOf = (file: string): string => `${file}.sig`;

const messageOf = (sha256: string, policy: PolicyFile): string => `blastgate policy signature v1\n${sha256}\n${canonicalJson(policy)}`;

export const signPolicy = (text: string, policy: PolicyFile, key: KeyObject, fingerprint: string, now = new Date()): PolicySignature => {
  const sha256 = sha256Hex(text);
  return { version: 1, sha256, key: fingerprint, signed: now.toISOString(), policy, signature: signMessage(messageOf(sha256, policy), key) };
};

/** The policy a valid signature vouches for, or why there is none. */
export const signedPolicy = async (file: string, text: string, paths: Paths): Promise<{ policy: PolicyFile | null; why: string }> => {
  const sigFile = signatureFileOf(file);
  if (!existsSync(sigFile)) return { policy: null, why: 'it is not signed' };
  let sig: PolicySignature;
  try {
    sig = JSON.parse(readFileSync(sigFile, 'utf8')) as PolicySignature;
  } catch {
    return { policy: null, why: `its signature ${sigFile} is unreadable` };
  }
  if (sig?.version !== 1 || typeof sig.signature !== 'string' || typeof sig.sha256 !== 'string') return { policy: null, why: `${sigFile} is not a policy signature` };
  if (sig.sha256 !== sha256Hex(text)) return { policy: null, why: 'it changed after it was signed' };
  const { keys } = trustedKeys(paths);
  if (keys.length === 0) return { policy: null, why: 'no approval passphrase is set to check its signature' };
  const key = keys.find((k) => verifyMessage(messageOf(sig.sha256, sig.policy), sig.signature, k.file));
  if (!key) {
    const now = keys.map((k) => keyFingerprint(k.file)).join(', ');
    return { policy: null, why: `its signature (key ${String(sig.key)}) does not verify with the approval key ${now} — signed before the passphrase changed, or forged` };
  }
  try {
    return { policy: validatePolicy(sig.policy, file), why: '' };
  } catch {
    return { policy: null, why: `${sigFile} holds an invalid policy` };
  }
};
