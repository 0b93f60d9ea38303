// Reading a file a command will run as code (`bash x.sh`, `. ./env.sh`, package.json scripts, a Makefile):
// regular files only, opened non-blocking, bounded in size; anything else cannot be judged.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

/** Largest file read as a script; bigger ones are unknown. */
export const MAX_SCRIPT_BYTES = 256 * 1024;

/** A reader for paths relative to `cwd`: text, null (exists but not a readable regular file ≤ the cap), undefined (none). */
export const scriptReader = (cwd: string) => (path: string): string | null | undefined => {
  let fd: number;
  try {
    fd = openSync(resolve(cwd, path), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? undefined : null;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_SCRIPT_BYTES) return null;
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
};
