// Commands that weaken the gate (uninstall, shims remove, passphrase change, policy sign, turning off a
// shell's rc block) are themselves gated: once an approval passphrase exists, they need it typed on
// /dev/tty. An agent can fake looking human; it cannot produce the passphrase.
import { trustedKeys } from '../approvals/key-store.js';
import { passphraseMatches } from '../approvals/keys.js';
import type { KeyObject } from 'node:crypto';
import type { TrustedKey } from '../approvals/key-store.js';
import type { Paths } from '../config/paths.js';
import { openTty, type TtyPort } from '../confirm/tty-prompt.js';
import { DeniedError } from '../errors.js';

const PROMPT_TIMEOUT_MS = 120_000;

export interface AdminGateOptions {
  paths: Paths;
  /** What is being done, for the prompt and the refusal: "uninstall", "shims remove" … */
  action: string;
  openTty?: () => TtyPort | null;
}

/**
 * Ask for the approval passphrase on the terminal; returns the signing key, or null when no passphrase
 * is set yet (then there is nothing to prove; `doctor` says to set one). Anything else refuses.
 */
export const requirePassphrase = async ({ paths, action, openTty: open = openTty }: AdminGateOptions): Promise<{ key: KeyObject; trusted: TrustedKey } | null> => {
  const { keys } = trustedKeys(paths);
  if (keys.length === 0) return null;
  const tty = open();
  if (!tty) throw new DeniedError(`${action} weakens the gate, so it needs the approval passphrase typed on a terminal, and this process has none; a human runs it in their own terminal`);
  try {
    const pass = await tty.ask(`${action} weakens blastgate. Approval passphrase:`, { timeoutMs: PROMPT_TIMEOUT_MS, secret: true });
    if (pass === null) throw new DeniedError(`${action}: no passphrase given (${tty.lastRefusal ?? 'cancelled'}); nothing changed`);
    for (const trusted of keys) {
      const key = passphraseMatches(pass, trusted.file);
      if (key) return { key, trusted };
    }
    throw new DeniedError(`${action}: wrong approval passphrase; nothing changed`);
  } finally {
    tty.close();
  }
};
