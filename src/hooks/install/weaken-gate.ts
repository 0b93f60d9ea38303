// `hook uninstall` weakens the gate, so once an approval passphrase exists it must be typed on /dev/tty.
// One small function so it can be re-pointed at the trust module's admin gate when that lands on main.
import { trustedKeys } from '../../approvals/key-store.js';
import { passphraseMatches } from '../../approvals/keys.js';
import type { Paths } from '../../config/paths.js';
import { openTty, type TtyPort } from '../../confirm/tty-prompt.js';
import { DeniedError } from '../../errors.js';

const PROMPT_TIMEOUT_MS = 120_000;

/** Resolves when allowed (no passphrase set yet, or the right one typed); throws DeniedError otherwise. */
export const requireWeakeningPassphrase = async (paths: Paths, action: string, open: () => TtyPort | null = openTty): Promise<void> => {
  const { keys } = trustedKeys(paths);
  if (keys.length === 0) return;
  const tty = open();
  if (!tty) throw new DeniedError(`${action} weakens the gate, so it needs the approval passphrase typed on a terminal, and this process has none; run it in your own terminal`);
  try {
    const pass = await tty.ask(`${action} weakens blastgate. Approval passphrase:`, { timeoutMs: PROMPT_TIMEOUT_MS, secret: true });
    if (pass === null) throw new DeniedError(`${action}: no passphrase given (${tty.lastRefusal ?? 'cancelled'}); nothing changed`);
    if (!keys.some((k) => passphraseMatches(pass, k.file))) throw new DeniedError(`${action}: wrong approval passphrase; nothing changed`);
  } finally {
    tty.close();
  }
};
