// The lines that put the shim dir first on PATH, for bash, zsh and fish, kept in one marked block so
// init can update it in place and uninstall can remove exactly what init added.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type ShellName = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly ShellName[] = ['bash', 'zsh', 'fish'];

const BEGIN = '# >>> blastgate shims >>>';
const END = '# <<< blastgate shims <<<';
const NOTE = '# Added by `blastgate init` (`blastgate uninstall` removes it): blastgate\'s shims go first on PATH.';

/** The rc file each shell reads for an interactive session. */
export const rcFileFor = (shell: ShellName, env: Record<string, string | undefined>, home: string): string => {
  if (shell === 'bash') return join(home, '.bashrc');
  if (shell === 'zsh') return join(env.ZDOTDIR || home, '.zshrc');
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'fish', 'config.fish');
};

/**
 * The file a login shell of this kind reads (`bash -l`, `zsh -l`, what many agents start): bash reads
 * the first of ~/.bash_profile, ~/.bash_login, ~/.profile that exists; zsh ~/.zprofile. Fish reads
 * config.fish in every mode, so it has none of its own.
 */
export const loginFileFor = (shell: ShellName, env: Record<string, string | undefined>, home: string): string | null => {
  if (shell === 'bash') return ['.bash_profile', '.bash_login', '.profile'].map((f) => join(home, f)).find((f) => existsSync(f)) ?? join(home, '.profile');
  if (shell === 'zsh') return join(env.ZDOTDIR || home, '.zprofile');
  return null;
};

/** Every file init puts the block in for this shell: the interactive rc file, then the login file. */
export const rcFilesFor = (shell: ShellName, env: Record<string, string | undefined>, home: string): string[] => {
  const login = loginFileFor(shell, env, home);
  return [rcFileFor(shell, env, home), ...(login ? [login] : [])];
};

/** Every file a block may have been put in (uninstall looks in all of them). */
export const allRcFiles = (env: Record<string, string | undefined>, home: string): string[] => [
  ...new Set([...SHELLS.map((s) => rcFileFor(s, env, home)), ...['.bash_profile', '.bash_login', '.profile'].map((f) => join(home, f)), join(env.ZDOTDIR || home, '.zprofile')]),
];

const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const fishQuote = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** The marked block for one shell. Prepends only when the dir is not already first (nested shells). */
export const rcBlock = (shell: ShellName, dir: string): string => {
  const body =
    shell === 'fish'
      ? `if test "$PATH[1]" != ${fishQuote(dir)}\n    set -gx PATH ${fishQuote(dir)} $PATH\nend`
      : `case "$PATH" in ${shQuote(dir)}|${shQuote(dir)}:*) ;; *) PATH=${shQuote(dir)}:"$PATH"; export PATH ;; esac`;
  return `${BEGIN}\n${NOTE}\n${body}\n${END}\n`;
};

const blockRange = (text: string): [number, number] | null => {
  const start = text.indexOf(BEGIN);
  if (start < 0) return null;
  const end = text.indexOf(END, start);
  if (end < 0) return null;
  let stop = end + END.length;
  if (text[stop] === '\n') stop++;
  return [start, stop];
};

const readOrEmpty = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

export type RcState = 'current' | 'outdated' | 'missing';

/** Whether the rc file holds our block, and whether it is this exact block. */
export const rcState = (file: string, block: string): RcState => {
  const text = readOrEmpty(file);
  const range = blockRange(text);
  if (!range) return 'missing';
  return text.slice(range[0], range[1]) === block ? 'current' : 'outdated';
};

/** Put the block in the rc file: replaced where it was, or appended at the end (after other PATH edits). */
export const writeRcBlock = (file: string, block: string): void => {
  const text = readOrEmpty(file);
  const range = blockRange(text);
  let next: string;
  if (range) next = text.slice(0, range[0]) + block + text.slice(range[1]);
  else next = text === '' ? block : `${text}${text.endsWith('\n') ? '' : '\n'}\n${block}`;
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  writeFileSync(file, next, { mode });
};

/** Take our block out again (and the blank line we added before it); true when something was removed. */
export const removeRcBlock = (file: string): boolean => {
  const text = readOrEmpty(file);
  const range = blockRange(text);
  if (!range) return false;
  let start = range[0];
  if (text.slice(Math.max(0, start - 2), start) === '\n\n') start--;
  writeFileSync(file, text.slice(0, start) + text.slice(range[1]));
  return true;
};

/** Shells to set up by default: the login shell plus any of bash/zsh/fish whose rc file exists. */
export const detectShells = (env: Record<string, string | undefined>, home: string): ShellName[] => {
  const login = basename(env.SHELL ?? '');
  return SHELLS.filter((s) => s === login || existsSync(rcFileFor(s, env, home)));
};
