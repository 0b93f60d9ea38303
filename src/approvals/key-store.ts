// Where approval keys live and which one is trusted.
//
// Threat note (same uid): a user-level key sits in the user's config dir (found through the password
// database, never $HOME or $XDG_CONFIG_HOME). An agent running as that user can read it (harmless: public
// key + salt only) but could also REPLACE it with a key of its own and then sign its own approvals. A
// system key (/etc/blastgate/approval-key.json, root-owned all the way up) closes that: when one exists it
// is the ONLY key accepted. Which dirs count as system is decided in src/trust/layers.ts; a dir named by
// BLASTGATE_SYSTEM_DIR never holds a key for a non-root caller.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Paths } from '../config/paths.js';
import type { KeyFile } from './keys.js';

export const KEY_FILE_NAME = 'approval-key.json';

export interface TrustedKey {
  file: KeyFile;
  path: string;
  origin: 'system' | 'user';
}

export interface KeyLookup {
  /** Keys an approval may be signed with: the system key(s) when present, else the user key. */
  keys: TrustedKey[];
  /** Key files that exist but were ignored, with why (shown by `pending` and in refusals). */
  ignored: string[];
}

export const userKeyPath = (paths: Paths): string => join(paths.configDir, KEY_FILE_NAME);
export const systemKeyPath = (paths: Paths): string => join(paths.systemDir, KEY_FILE_NAME);

/** Root-owned and writable by nobody else: the file and the dir holding it. */
const protectionProblem = (file: string): string | null => {
  for (const p of [file, dirname(file)]) {
    const st = statSync(p);
    if (st.uid !== 0) return `${p} is not owned by root`;
    if ((st.mode & 0o022) !== 0) return `${p} is group- or world-writable`;
  }
  return null;
};

const isKeyFile = (v: unknown): v is KeyFile => {
  const k = v as KeyFile;
  return (
    !!k && k.version === 1 && k.algorithm === 'ed25519' && typeof k.publicKey === 'string' && Buffer.from(k.publicKey, 'base64').length === 32 &&
    !!k.kdf && k.kdf.name === 'scrypt' && Number.isInteger(k.kdf.N) && Number.isInteger(k.kdf.r) && Number.isInteger(k.kdf.p) && typeof k.kdf.salt === 'string'
  );
};

/** Why: one reader that never throws; a missing file is `null`, a broken one an explanation. */
export const readKeyFile = (path: string): { file: KeyFile | null; problem?: string } => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { file: null } : { file: null, problem: `${path}: cannot read (${code ?? 'error'})` };
  }
  try {
    const data: unknown = JSON.parse(text);
    return isKeyFile(data) ? { file: data } : { file: null, problem: `${path}: not an approval key file` };
  } catch {
    return { file: null, problem: `${path}: invalid JSON` };
  }
};

/** Why: the gate and `approve` must agree on which public key counts; this is the one rule. */
export const trustedKeys = (paths: Paths): KeyLookup => {
  const ignored: string[] = [];
  const system: TrustedKey[] = [];
  // Only a trusted system dir (src/trust/layers.ts) may hold the key: one named by BLASTGATE_SYSTEM_DIR never.
  for (const { dir, trusted } of paths.systemDirs) {
    if (!trusted) continue;
    const path = join(dir, KEY_FILE_NAME);
    const { file, problem } = readKeyFile(path);
    if (problem) ignored.push(problem);
    if (!file) continue;
    const why = protectionProblem(path);
    if (why) ignored.push(`system key ${path} ignored: ${why}`);
    else system.push({ file, path, origin: 'system' });
  }
  if (system.length > 0) return { keys: system, ignored };
  const path = userKeyPath(paths);
  const { file, problem } = readKeyFile(path);
  if (problem) ignored.push(problem);
  return { keys: file ? [{ file, path, origin: 'user' }] : [], ignored };
};

/** Why: a key file is replaced whole (temp file + rename), never left half-written. */
export const writeKeyFile = (path: string, file: KeyFile, scope: 'user' | 'system'): void => {
  mkdirSync(dirname(path), { recursive: true, mode: scope === 'system' ? 0o755 : 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', scope === 'system' ? 0o644 : 0o600);
  try {
    writeSync(fd, `${JSON.stringify(file, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
};
