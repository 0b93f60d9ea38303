// `blastgate passphrase set|change [--system]`: the secret a human proves themselves with when approving.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { readKeyFile, systemKeyPath, userKeyPath, writeKeyFile } from '../approvals/key-store.js';
import { createKeyFile, keyFingerprint, MIN_PASSPHRASE_LENGTH, PASSPHRASE_ATTEMPTS, passphraseMatches } from '../approvals/keys.js';
import { openTty, type TtyPort } from '../confirm/tty-prompt.js';
import { loadEngine } from '../engine.js';
import { DeniedError, UsageError } from '../errors.js';
import { appendAudit } from '../stages/audit.js';

export interface PassphraseOptions {
  action: 'set' | 'change';
  system?: boolean;
  env?: Record<string, string | undefined>;
  cwd?: string;
  openTty?: () => TtyPort | null;
}

/** Seconds to answer each passphrase prompt. */
const PROMPT_TIMEOUT_MS = 120_000;

const rootOwnedAndClosed = (path: string): boolean => {
  for (const p of [path, dirname(path)]) {
    const st = statSync(p);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
  }
  return true;
};

/**
 * Why: whoever sets the passphrase can approve; an agent must never get to choose it. So this runs
 * only for a human, only on a terminal, and the passphrase is typed, never read from a flag or env.
 */
export const runPassphrase = async (opts: PassphraseOptions): Promise<number> => {
  const engine = await loadEngine({ env: opts.env, cwd: opts.cwd });
  if (engine.actor.actor === 'agent') {
    throw new DeniedError(`the approval passphrase must be set by a human in their own terminal; this process looks like an AI agent (${engine.actor.reason})`);
  }
  const path = opts.system ? systemKeyPath(engine.paths) : userKeyPath(engine.paths);
  const existing = readKeyFile(path);
  if (existing.problem) throw new UsageError(existing.problem);
  if (opts.action === 'set' && existing.file) throw new UsageError(`a passphrase is already set (${path}); use \`blastgate passphrase change${opts.system ? ' --system' : ''}\``);
  if (opts.action === 'change' && !existing.file) throw new UsageError(`no passphrase is set yet (${path}); use \`blastgate passphrase set${opts.system ? ' --system' : ''}\``);
  const tty = (opts.openTty ?? openTty)();
  if (!tty) throw new DeniedError('the passphrase is typed on a terminal; run this in your own terminal');
  try {
    if (existing.file) {
      const current = await tty.ask('Current approval passphrase:', { timeoutMs: PROMPT_TIMEOUT_MS, secret: true });
      if (current === null || !passphraseMatches(current, existing.file)) throw new DeniedError('wrong passphrase; nothing changed');
    }
    // Too short asks again (like a wrong passphrase in `approve`), PASSPHRASE_ATTEMPTS times at most.
    let first: string | null = null;
    for (let attempt = 1; first === null; attempt++) {
      const typed = await tty.ask(`New approval passphrase (at least ${MIN_PASSPHRASE_LENGTH} characters; agents must never see it):`, { timeoutMs: PROMPT_TIMEOUT_MS, secret: true });
      if (typed === null) throw new DeniedError('cancelled; nothing changed');
      if (typed.length >= MIN_PASSPHRASE_LENGTH) first = typed;
      else if (attempt >= PASSPHRASE_ATTEMPTS) throw new UsageError(`the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters; nothing changed`);
      else tty.write(`too short: at least ${MIN_PASSPHRASE_LENGTH} characters\n`);
    }
    const again = await tty.ask('Repeat it:', { timeoutMs: PROMPT_TIMEOUT_MS, secret: true });
    if (again !== first) throw new UsageError('the two entries differ; nothing changed');
    const file = createKeyFile(first);
    try {
      writeKeyFile(path, file, opts.system ? 'system' : 'user');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot write ${path} (${code ?? (err as Error).message})${opts.system ? '; the system key needs root: sudo blastgate passphrase set --system' : ''}`);
    }
    tty.write(`approval key ${keyFingerprint(file)} written to ${path} (public key and salt only)\n`);
    if (opts.system && !rootOwnedAndClosed(path)) {
      tty.write(`warning: ${path} is not root-owned and closed to other writers, so it is IGNORED; the user key stays in use\n`);
    }
    await appendAudit(engine, {
      kind: 'approval',
      argv: ['blastgate', 'passphrase', opts.action, ...(opts.system ? ['--system'] : [])],
      cwd: engine.cwd,
      tool: 'blastgate',
      rules: [],
      target: null,
      decision: `passphrase-${opts.action}`,
      reason: `${opts.system ? 'system' : 'user'} key ${keyFingerprint(file)}`,
    });
    return 0;
  } finally {
    tty.close();
  }
};

export interface InitOffer {
  engine: import('../engine.js').Engine;
  yes: boolean;
  out: (line: string) => void;
  openTty?: () => TtyPort | null;
}

/**
 * Why: `blastgate init` offers to set the passphrase (src/commands/init-passphrase.ts delegates here).
 * Only a human on a terminal is asked; `--yes`, an agent or no terminal get the instruction instead.
 */
export const offerPassphraseAtInit = async ({ engine, yes, out, openTty: open = openTty }: InitOffer): Promise<void> => {
  const { trustedKeys } = await import('../approvals/key-store.js');
  const found = trustedKeys(engine.paths);
  const key = found.keys[0];
  if (key) {
    out(`approval passphrase: set (${key.origin} key ${keyFingerprint(key.file)})`);
    return;
  }
  const later = 'approval passphrase: not set — agents cannot get dangerous commands approved until a human runs `blastgate passphrase set` in their own terminal';
  if (yes || engine.actor.actor === 'agent') {
    out(later);
    return;
  }
  const tty = open();
  if (!tty) {
    out(later);
    return;
  }
  let answer: string | null;
  try {
    answer = await tty.ask('Set the approval passphrase now (a human types it to approve what agents ask)? [y/N]', { timeoutMs: PROMPT_TIMEOUT_MS });
  } finally {
    tty.close();
  }
  if (!answer || !/^y(es)?$/i.test(answer.trim())) {
    out(later);
    return;
  }
  await runPassphrase({ action: 'set', env: engine.env, cwd: engine.cwd, openTty: open });
};
