// Root-owned file writing for the system install: whole-file atomic replace, mode set, owner root.
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** mkdir -p, root-owned and 0755 for each dir it creates; returns the dirs it created (outermost first). */
export const ensureRootDir = (dir: string): string[] => {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d, { mode: 0o755 });
    chownSync(d, 0, 0);
    chmodSync(d, 0o755);
  }
  return missing;
};

export type WriteOutcome = 'written' | 'unchanged';

/** Write only when the content differs; the new file is root:root with `mode`. */
export const writeRootFile = (path: string, text: string, mode: number): WriteOutcome => {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) {
    chownSync(path, 0, 0);
    chmodSync(path, mode);
    return 'unchanged';
  }
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  chownSync(tmp, 0, 0);
  chmodSync(tmp, mode);
  renameSync(tmp, path);
  return 'written';
};
