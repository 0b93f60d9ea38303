// The sudoers drop-in that puts the shim dir first in sudo's secure_path, validated by `visudo -cf`
// before it is moved into place (a broken sudoers file can lock root out of sudo).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sudoSecurePath } from '../commands/doctor.js';
import { DEFAULT_SECURE_PATH, SUDOERS_FILE } from './layout.js';
import { writeRootFile } from './files.js';

const VISUDO_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin'];

export const findVisudo = (): string | null => VISUDO_DIRS.map((d) => join(d, 'visudo')).find((p) => existsSync(p)) ?? null;

/** The drop-in's text: our dir first, then whatever secure_path sudo uses today (our own entry left out). */
export const sudoersText = (shimDir: string): string => {
  const current = sudoSecurePath('/etc/sudoers');
  const base = typeof current === 'string' ? current : DEFAULT_SECURE_PATH;
  const rest = base.split(':').filter((d) => d && d !== shimDir);
  return `# Written by \`blastgate init --system\`: guarded tools run under sudo go through the shims first.\nDefaults secure_path="${[shimDir, ...rest].join(':')}"\n`;
};

export type SudoersOutcome = { status: 'written' | 'unchanged'; path: string } | { status: 'skipped'; note: string };

export const installSudoers = (shimDir: string): SudoersOutcome => {
  const visudo = findVisudo();
  if (!visudo) return { status: 'skipped', note: 'visudo not found (sudo is not installed): no sudoers drop-in written; run `blastgate init --system` again after installing sudo' };
  const text = sudoersText(shimDir);
  const candidate = `${SUDOERS_FILE}.blastgate-check`;
  writeRootFile(candidate, text, 0o440);
  const check = spawnSync(visudo, ['-cf', candidate], { encoding: 'utf8' });
  if (check.status !== 0) {
    rmSync(candidate, { force: true });
    return { status: 'skipped', note: `visudo rejected the drop-in (${(check.stderr || check.stdout).trim().split('\n')[0]}); nothing written to ${SUDOERS_FILE}` };
  }
  rmSync(candidate, { force: true });
  return { status: writeRootFile(SUDOERS_FILE, text, 0o440), path: SUDOERS_FILE };
};
