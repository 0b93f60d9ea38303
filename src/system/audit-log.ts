// The system audit log, and why it is built this way.
//
// A Node CLI runs with the caller's uid: whatever blastgate can write, an agent on that uid can write
// directly. No setuid/setgid helper is available (the kernel ignores those bits on scripts), so a log
// "only blastgate can append to" cannot exist for a same-uid caller. What the kernel does offer is the
// append-only attribute (chattr +a, FS_APPEND_FL): every user may open the file for appending, nobody —
// the owner included, and root until it clears the flag — may truncate, overwrite, rename or delete it.
// So /var/log/blastgate is root-owned 0755 (nothing can be added, renamed or removed in it) and
// audit.jsonl is root-owned 0666 + append-only (readable, so `doctor` run as any user can check the flag; records are redacted). Guarantee: once a record is in, no agent can take it
// out or change it; an agent CAN append lines of its own (they carry its uid, break the per-user hash
// chain unless forged carefully, and never hide an earlier record). Where the filesystem has no such
// attribute, init says so and doctor reports the hole.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, openSync } from 'node:fs';
import { LOG_DIR, SYSTEM_LOG } from './layout.js';
import { ensureRootDir } from './files.js';

/** lsattr's view of the append-only flag: true, false, or null when it cannot tell. */
export const isAppendOnly = (file: string): boolean | null => {
  const r = spawnSync('lsattr', ['-d', file], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return /^\S*a\S*\s/.test(r.stdout);
};

export interface LogOutcome {
  created: string[];
  file: 'written' | 'unchanged';
  appendOnly: boolean;
  note?: string;
}

export const installSystemLog = (): LogOutcome => {
  const created = ensureRootDir(LOG_DIR);
  chownSync(LOG_DIR, 0, 0);
  chmodSync(LOG_DIR, 0o755);
  const existed = existsSync(SYSTEM_LOG);
  if (!existed) closeSync(openSync(SYSTEM_LOG, "a", 0o666));
  if (isAppendOnly(SYSTEM_LOG) !== true) {
    chownSync(SYSTEM_LOG, 0, 0);
    chmodSync(SYSTEM_LOG, 0o666);
    spawnSync('chattr', ['+a', SYSTEM_LOG], { encoding: 'utf8' });
  }
  const appendOnly = isAppendOnly(SYSTEM_LOG) === true;
  return {
    created,
    file: existed ? 'unchanged' : 'written',
    appendOnly,
    ...(appendOnly ? {} : { note: `${SYSTEM_LOG} could not be made append-only (chattr +a; the filesystem may not support it): an agent could truncate it. Put ${LOG_DIR} on ext4, xfs, btrfs or tmpfs.` }),
  };
};

/** Clear the flag so root can remove the file (uninstall). */
export const releaseSystemLog = (): void => {
  spawnSync('chattr', ['-a', SYSTEM_LOG], { encoding: 'utf8' });
};
