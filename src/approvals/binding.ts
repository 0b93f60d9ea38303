// What an approval signs: the request's subject (argv, cwd, target, rules, credentials, payloads) plus nonce and expiry.
import type { PanelData } from '../confirm/panel.js';
import { canonicalJson, sha256Hex } from './canonical.js';
import { signMessage, verifyMessage, type KeyFile } from './keys.js';
import type { KeyObject } from 'node:crypto';

/**
 * Why: sha256 of everything the panel shows except the free-text actor reason (which names pids), so a
 * request file edited to look harmless no longer matches the gated process's own subject.
 */
export const subjectOf = (p: PanelData): string =>
  sha256Hex(
    canonicalJson({
      v: 1,
      argv: p.argv,
      cwd: p.cwd,
      tool: p.tool,
      severity: p.severity,
      rules: p.rules,
      target: p.target,
      irreversible: p.irreversible,
      backups: p.backups,
      actor: p.actor,
      unknowns: p.unknowns,
      // Credentials, behaviour-changing environment and payload hashes (salted fingerprints, never values).
      bound: p.bound,
    }),
  );

export interface BindingParts {
  id: string;
  subject: string;
  nonce: string;
  /** ISO time after which the approval is worthless. */
  expiresAt: string;
}

/** Why: the exact string that gets signed; a fixed prefix keeps these signatures useless for anything else. */
export const bindingMessage = (b: BindingParts): string =>
  `blastgate-approval-v1:${sha256Hex(canonicalJson({ id: b.id, subject: b.subject, nonce: b.nonce, expiresAt: b.expiresAt }))}`;

export const signBinding = (b: BindingParts, key: KeyObject): string => signMessage(bindingMessage(b), key);

export const bindingSignedBy = (b: BindingParts, signature: string, key: Pick<KeyFile, 'publicKey'>): boolean =>
  verifyMessage(bindingMessage(b), signature, key);
