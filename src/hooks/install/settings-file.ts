// A harness settings file as blastgate edits it: read strictly (a malformed file is never overwritten),
// backed up beside itself, written atomically (temp file + rename, the original's mode kept).
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../../errors.js';

export interface SettingsText {
  /** The parsed object; `{}` when the file does not exist yet. */
  data: Record<string, unknown>;
  /** The file's bytes as read; null when it does not exist. */
  text: string | null;
}

const lineOf = (text: string, message: string): string => {
  const pos = /position (\d+)/.exec(message)?.[1];
  if (pos === undefined) return '';
  const before = text.slice(0, Number(pos));
  return `:${before.split('\n').length}`;
};

/** Read and parse; a file that is not a JSON object is a ConfigError naming it (exit 2, nothing written). */
export const readSettings = (file: string): SettingsText => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { data: {}, text: null };
    throw new ConfigError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (text.trim() === '') return { data: {}, text };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}${lineOf(text, (err as Error).message)}: not valid JSON (${(err as Error).message}); fix it first, nothing was written`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(`${file}: expected a JSON object at the top; nothing was written`);
  return { data: data as Record<string, unknown>, text };
};

export const renderSettings = (data: Record<string, unknown>): string => `${JSON.stringify(data, null, 2)}\n`;

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** Copy the original beside itself before the first change; returns the backup's path. */
export const backupSettings = (file: string, now = new Date()): string => {
  const backup = `${file}.blastgate-backup-${stamp(now)}`;
  copyFileSync(file, backup);
  return backup;
};

/** Write through a temp file in the same directory and rename over the target: a reader sees old or new, never half. */
export const writeSettingsAtomically = (file: string, text: string): void => {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o7777 : 0o644;
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
};
