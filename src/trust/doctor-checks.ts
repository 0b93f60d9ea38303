// What `doctor` says about trust: files set aside, a gate the user (so an agent as the user) could switch
// off, and where the approval key lives. Advisory: the fix for all of it is a root-owned install.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { trustedKeys } from '../approvals/key-store.js';
import type { Engine } from '../engine.js';
import { layerProblems } from '../engine.js';
import { isRoot } from './layers.js';

interface TrustCheck {
  id: string;
  status: 'ok' | 'info' | 'warn' | 'fail';
  message: string;
  fix?: string;
}

const ROOT_INSTALL = 'sudo blastgate init --dir /usr/local/lib/blastgate/shims (root-owned), then put that dir first on PATH';

/** Shims the invoking user may alter (owner, or a writable dir): an agent as that user can chmod -x or replace them. */
const alterableShims = (dir: string): string[] => {
  const uid = process.geteuid?.() ?? 0;
  const mine = (p: string) => {
    try {
      const st = statSync(p);
      return st.uid === uid || (st.mode & 0o022) !== 0;
    } catch {
      return false;
    }
  };
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
  if (mine(dir)) return [dir];
  return names.filter((n) => mine(join(dir, n))).map((n) => join(dir, n));
};

export const trustChecks = (engine: Engine, shimDir: string): TrustCheck[] => {
  const checks: TrustCheck[] = [];
  for (const p of layerProblems(engine)) {
    checks.push({ id: 'layer', status: 'fail', message: `${p.message} — set aside; ${p.binaries ? `${p.binaries.join(', ')} commands` : 'gated commands'} need confirmation until it is fixed`, fix: `blastgate rules test ${p.file}` });
  }
  if (!isRoot()) {
    const alterable = alterableShims(shimDir);
    if (alterable.length) {
      checks.push({ id: 'trust:shims', status: 'warn', message: `${alterable.slice(0, 3).join(', ')}${alterable.length > 3 ? ' …' : ''} can be changed by you, so by an agent running as you (rm, chmod -x)`, fix: ROOT_INSTALL });
    }
    for (const s of engine.paths.systemDirs) {
      if (!s.trusted && s.why && !/ENOENT/.test(s.why)) checks.push({ id: 'trust:system', status: 'warn', message: `${s.dir} counts only as a tighten-only layer: ${s.why}`, fix: `keep ${s.dir} and every dir above it root-owned and not group/world-writable` });
    }
    const keys = trustedKeys(engine.paths).keys;
    if (keys.length > 0 && keys.every((k) => k.origin === 'user')) {
      checks.push({ id: 'trust:key', status: 'info', message: `the approval key is in ${engine.paths.configDir}, which an agent running as you could replace`, fix: 'sudo blastgate passphrase set --system (a root-owned key in /etc/blastgate)' });
    }
  }
  return checks;
};
