// What makes a directory or a file recognisably blastgate's own, so lookups never resolve to a shim.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Paths } from '../config/paths.js';

/**
 * Every shim dir holds this file. Line 1 is the hash of the generation that wrote the shims (the
 * shims compare it with their own); the rest is the JSON manifest.
 */
export const STAMP_FILE = '.blastgate-shims';

/** The second line of every generated shim; how a shim is told apart from a real tool. */
export const SHIM_SIGNATURE = '# blastgate-shim';

/** Where `init` puts shims unless told otherwise. */
export const defaultShimDir = (paths: Paths): string => join(paths.dataDir, 'shims');

/** A dir whose entries are blastgate shims (never searched for a real binary). */
export const isShimDir = (dir: string): boolean => existsSync(join(dir, STAMP_FILE));

/** Reads the first bytes of a file: a shim carries SHIM_SIGNATURE near the top. */
export const isShimFile = (file: string): boolean => {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('latin1').includes(SHIM_SIGNATURE);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

/**
 * The shim hides the caller's NODE_OPTIONS from blastgate's own node (a `--require` there would run
 * inside the gate) and parks it here; `run` puts it back before the tool sees its environment.
 */
export const SAVED_NODE_OPTIONS = 'BLASTGATE_SAVED_NODE_OPTIONS';
