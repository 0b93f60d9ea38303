// The working directory, even when it has been deleted under us (`mkdir x; cd x; rmdir ../x`): the tool
// still runs there, so blastgate must decide instead of crashing in process.cwd().
import { isAbsolute } from 'node:path';

/**
 * process.cwd(), or — when the directory is gone — the shell's logical $PWD (absolute only), else `/`.
 * Project rules found from it can only tighten, so a caller-set PWD loosens nothing.
 */
export const currentDir = (env: Record<string, string | undefined> = process.env): string => {
  try {
    return process.cwd();
  } catch {
    const pwd = env.PWD;
    return pwd && isAbsolute(pwd) ? pwd : '/';
  }
};
