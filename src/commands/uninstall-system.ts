// `blastgate uninstall --system` (root): remove exactly what `init --system` wrote, as its manifest lists
// it. A file changed since is kept and named; the audit log and the approval key are kept on purpose.
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { resolvePaths } from '../config/paths.js';
import { UsageError } from '../errors.js';
import { removeShimDir } from './shims.js';
import { LOG_DIR, MANIFEST_FILE, SYSTEM_LOG } from '../system/layout.js';
import { readSystemManifest, sha256Of } from '../system/manifest.js';

export interface UninstallSystemOptions {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  gate?: (action: string) => Promise<void>;
}

export const runUninstallSystem = async (opts: UninstallSystemOptions = {}): Promise<number> => {
  if ((process.getuid?.() ?? 0) !== 0) throw new UsageError('uninstall --system removes root-owned files: run it as root');
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const manifest = readSystemManifest();
  if (!manifest) {
    out(`nothing to do: no ${MANIFEST_FILE} (init --system was not run, or its manifest is gone)`);
    return 0;
  }
  if (opts.gate) await opts.gate('blastgate uninstall --system');
  else await (await import('../trust/admin-gate.js')).requirePassphrase({ paths: resolvePaths(opts.env ?? process.env), action: 'blastgate uninstall --system' });
  const shims = removeShimDir(manifest.shimDir).filter((n) => !n.startsWith('.'));
  out(`removed   ${shims.length} shims from ${manifest.shimDir}`);
  for (const f of manifest.files) {
    if (!existsSync(f.path)) continue;
    if (sha256Of(readFileSync(f.path)) !== f.sha256) {
      out(`kept      ${f.path} (changed since init --system wrote it)`);
      continue;
    }
    rmSync(f.path);
    out(`removed   ${f.path}`);
  }
  rmSync(MANIFEST_FILE, { force: true });
  for (const d of [...manifest.dirs].reverse()) {
    if (d === LOG_DIR) continue;
    try {
      if (existsSync(d) && readdirSync(d).length === 0) {
        rmdirSync(d);
        out(`removed   ${d}/`);
      }
    } catch {
      // not empty or in use: leave it
    }
  }
  out(`kept      ${SYSTEM_LOG} (history; to delete it: chattr -a ${SYSTEM_LOG} && rm -r ${LOG_DIR})`);
  out('kept      the system approval key, if any (blastgate passphrase change --system replaces it)');
  return 0;
};
