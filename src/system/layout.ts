// Where `blastgate init --system` writes. Fixed paths on purpose: they are what login shells, sudo and
// every user's blastgate read, and tests put private mounts over them instead of moving them.
import { join } from 'node:path';
import { DEFAULT_SYSTEM_DIR } from '../config/paths.js';

export const SYSTEM_SHIM_DIR = '/usr/local/lib/blastgate/shims';
export const PROFILE_FILE = '/etc/profile.d/blastgate.sh';
export const SUDOERS_FILE = '/etc/sudoers.d/blastgate';
export const SYSTEM_CONFIG = join(DEFAULT_SYSTEM_DIR, 'config.yaml');
/** What init wrote, so `uninstall --system` removes exactly that. */
export const MANIFEST_FILE = join(DEFAULT_SYSTEM_DIR, 'installed.json');
export const LOG_DIR = '/var/log/blastgate';
export const SYSTEM_LOG = join(LOG_DIR, 'audit.jsonl');
export const DEFAULT_SECURE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
