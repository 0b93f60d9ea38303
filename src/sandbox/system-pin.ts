// The system policy may pin the sandbox profile (`sandbox: { profile: claude }` in
// /etc/blastgate/config.yaml); then `--profile` may not choose another. Only a trusted system layer
// (root-owned, or the default system dir) can pin; a user or project file cannot.
import type { Policy } from '../config/policy.js';
import { ConfigError } from '../errors.js';

export const pinnedProfile = (policy: Policy): string | null => {
  let pinned: string | null = null;
  for (const layer of policy.layers) {
    if (layer.origin !== 'system' || !layer.canLoosen) continue;
    const raw = (layer.data as { sandbox?: unknown }).sandbox;
    if (raw === undefined || raw === null) continue;
    const profile = typeof raw === 'object' && !Array.isArray(raw) ? (raw as { profile?: unknown }).profile : undefined;
    if (typeof profile !== 'string' || profile === '') throw new ConfigError(`${layer.file}: sandbox: expected { profile: <built-in name or file> }`);
    pinned = profile;
  }
  return pinned;
};
