// `doctor` after `init --system`, run as the agent's user: every file the gate stands on must be root's
// and unwritable by anyone else, all the way up; the login PATH, sudo, the lock, the key and the log
// must be as init left them. Each hole comes with its fix.
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { trustedKeys } from '../approvals/key-store.js';
import type { Check } from '../commands/doctor.js';
import { profileText } from '../commands/init-system.js';
import type { Engine } from '../engine.js';
import { selfEntry } from '../shims/self.js';
import { isAppendOnly } from './audit-log.js';
import { PROFILE_FILE, SUDOERS_FILE, SYSTEM_LOG } from './layout.js';
import { readSystemManifest } from './manifest.js';
import { findVisudo } from './sudoers.js';

/** The first path from `p` up to / that is not root's or that others can write (sticky /tmp-like dirs included), or null. */
export const writableLink = (p: string): string | null => {
  for (let cur = p; ; cur = dirname(cur)) {
    let st;
    try {
      st = statSync(cur);
    } catch {
      return cur;
    }
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return cur;
    if (cur === '/') return null;
  }
};

/** The first entry under `dir` (itself included) that is not root's or that others can write, or null. */
export const writableInTree = (dir: string, depth = 4): string | null => {
  const up = writableLink(dir);
  if (up !== null || depth === 0) return up;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  for (const name of names) {
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.uid !== 0 || (!st.isSymbolicLink() && (st.mode & 0o022) !== 0)) return p;
    if (st.isDirectory()) {
      const hole = writableInTree(p, depth - 1);
      if (hole) return hole;
    }
  }
  return null;
};

const owned = (id: string, path: string, what: string, tree = false): Check => {
  const hole = tree ? writableInTree(path) : writableLink(path);
  return hole === null
    ? { id, status: 'ok', message: `${what} (${path}) is root's and nobody else can change it` }
    : { id, status: 'fail', message: `${what} can be changed by a non-root user: ${hole} is not root-owned or is group/world-writable`, fix: `chown root:root ${hole} && chmod go-w ${hole}` };
};

/** The system-install view of a machine; empty when `init --system` was never run. */
export const systemChecks = (engine: Engine): Check[] => {
  const manifest = readSystemManifest();
  if (!manifest) return [];
  const checks: Check[] = [];
  const dir = manifest.shimDir;
  checks.push(owned('system:shims', dir, 'the system shim dir'));
  const self = selfEntry();
  checks.push(
    owned('system:blastgate', self.bin, 'blastgate itself'),
    owned('system:blastgate-code', join(dirname(dirname(self.bin)), 'dist'), "blastgate's code (dist/)", true),
    owned('system:node', self.node, 'the node binary the shims run'),
  );
  for (const f of manifest.files) checks.push(owned(`system:file:${f.path}`, f.path, f.path));

  const profile = existsSync(PROFILE_FILE) ? readFileSync(PROFILE_FILE, 'utf8') : null;
  checks.push(profile === profileText(dir)
    ? { id: 'system:profile', status: 'ok', message: `${PROFILE_FILE} puts ${dir} first for login shells` }
    : { id: 'system:profile', status: 'fail', message: `${PROFILE_FILE} is ${profile === null ? 'missing' : 'changed'}: login shells may not reach the shims first`, fix: 'sudo blastgate init --system' });

  if (!findVisudo()) checks.push({ id: 'system:sudo', status: 'info', message: 'sudo is not installed: no secure_path to set' });
  else {
    const text = existsSync(SUDOERS_FILE) ? readFileSync(SUDOERS_FILE, 'utf8') : '';
    checks.push(text.includes(`secure_path="${dir}:`)
      ? { id: 'system:sudo', status: 'ok', message: `${SUDOERS_FILE} puts ${dir} first in sudo's secure_path` }
      : { id: 'system:sudo', status: 'fail', message: `sudo's secure_path does not start with ${dir}: \`sudo terraform destroy\` skips the gate`, fix: 'sudo blastgate init --system' });
  }

  checks.push(engine.policy.locked
    ? { id: 'system:locked', status: 'ok', message: 'the system policy is locked: user and project files can only tighten' }
    : { id: 'system:locked', status: 'fail', message: 'the system policy is not locked: a user file could loosen it', fix: `add \`locked: true\` to ${join(engine.paths.defaultSystemDir, 'config.yaml')}` });

  const systemKey = trustedKeys(engine.paths).keys.find((k) => k.origin === 'system');
  checks.push(systemKey
    ? { id: 'system:key', status: 'ok', message: `the system approval key is set (${systemKey.path})` }
    : { id: 'system:key', status: 'fail', message: 'no system approval key: gated commands cannot be approved, or a user-level key an agent can replace is used', fix: 'sudo blastgate passphrase set --system' });

  const appendOnly = existsSync(SYSTEM_LOG) ? isAppendOnly(SYSTEM_LOG) : false;
  checks.push(appendOnly
    ? { id: 'system:log', status: 'ok', message: `${SYSTEM_LOG} is append-only: no record can be removed or changed` }
    : { id: 'system:log', status: 'fail', message: `${SYSTEM_LOG} is ${existsSync(SYSTEM_LOG) ? 'not append-only: it can be truncated' : 'missing'}`, fix: `sudo chattr +a ${SYSTEM_LOG} (or sudo blastgate init --system)` });
  return checks;
};

/** The shim dir doctor checks by default: the system one once `init --system` ran. */
export const systemShimDir = (): string | undefined => readSystemManifest()?.shimDir;
