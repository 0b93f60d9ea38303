// The record of what `init --system` wrote: files with the hash of what was written (so uninstall never
// removes a file an admin has since changed) and the dirs it created.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { MANIFEST_FILE } from './layout.js';

export interface SystemManifest {
  version: 1;
  files: Array<{ path: string; sha256: string }>;
  /** Created by init, deepest last; removed (when empty) in reverse order. */
  dirs: string[];
  shimDir: string;
}

export const sha256Of = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export const readSystemManifest = (): SystemManifest | null => {
  if (!existsSync(MANIFEST_FILE)) return null;
  try {
    const m = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as SystemManifest;
    return m.version === 1 && Array.isArray(m.files) && Array.isArray(m.dirs) ? m : null;
  } catch {
    return null;
  }
};
