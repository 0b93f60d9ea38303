// Small file predicates shared by the real-binary lookup (stages/exec) and the sandbox's cover list.
import { accessSync, constants, realpathSync, statSync } from 'node:fs';

/** The real path, or null when it does not resolve. */
export const realOrNull = (p: string): string | null => {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
};

/** A regular file this process may execute. */
export const isExecutableFile = (file: string): boolean => {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
