// `blastgate doctor --sandbox`: can a sandbox start here, and what would it cover and mask?
import { rmSync } from 'node:fs';
import type { Check } from '../commands/doctor.js';
import { loadEngine } from '../engine.js';
import { bubblewrapJail, type Jail } from './jail.js';
import { defaultProfileFor, loadProfile } from './profile.js';
import { planSandbox } from './setup.js';
import { pinnedProfile } from './system-pin.js';

export const sandboxChecks = async (opts: { env?: Record<string, string | undefined>; cwd?: string; jail?: Jail; profile?: string }): Promise<Check[]> => {
  const env = opts.env ?? process.env;
  const jail = opts.jail ?? bubblewrapJail();
  const checks: Check[] = [];
  const available = await jail.available();
  if (!available.ok) checks.push({ id: 'sandbox:jail', status: 'fail', message: available.missing, fix: 'apt-get install bubblewrap; allow unprivileged user namespaces (user.max_user_namespaces > 0)' });
  else checks.push({ id: 'sandbox:jail', status: 'ok', message: available.detail });
  const cwd = opts.cwd ?? process.cwd();
  const engine = await loadEngine({ env, cwd });
  const pinned = pinnedProfile(engine.policy);
  const profile = await loadProfile(pinned ?? opts.profile ?? defaultProfileFor(['generic']));
  checks.push({ id: 'sandbox:profile', status: 'info', message: `profile ${profile.name}${pinned ? ' (pinned by the system policy)' : ''}: writable ${['workspace', ...profile.writable].join(', ')}` });
  const plan = planSandbox({ engine, profile, command: ['true'], workspace: cwd, env });
  try {
    const covered = plan.covered.flatMap((c) => c.paths).sort();
    checks.push({
      id: 'sandbox:covered',
      status: covered.length > 0 ? 'ok' : 'warn',
      message: covered.length > 0 ? `${covered.length} paths covered by the blastgate client: ${covered.join(', ')}` : 'no guarded tool found on this host',
    });
    if (profile.inside.length > 0) checks.push({ id: 'sandbox:inside', status: 'info', message: `run inside the jail, not through the broker: ${profile.inside.join(', ')}` });
    checks.push({ id: 'sandbox:env', status: 'info', message: plan.secrets.length > 0 ? `credential variables replaced by placeholders: ${plan.secrets.map((s) => s.name).join(', ')}` : 'no credential variables set' });
    checks.push({ id: 'sandbox:files', status: 'info', message: plan.maskedCredentials.length > 0 ? `credential files behind placeholders: ${plan.maskedCredentials.join(', ')}` : 'no credential files found' });
    checks.push({ id: 'sandbox:state', status: 'info', message: `hidden inside: ${plan.maskedState.join(', ') || '(none exist yet)'}; /tmp, /var/tmp and /run are private` });
    const gated = engine.index.apiHosts ?? [];
    checks.push({
      id: 'sandbox:egress',
      status: 'info',
      message: `network inside: only the broker's HTTP(S) proxy; requests to ${gated.length} gated API hosts are opened and judged (${gated.slice(0, 4).join(', ')}${gated.length > 4 ? ' …' : ''}), other web hosts get an untouched tunnel, non-HTTP destinations no route`,
    });
  } finally {
    rmSync(plan.runtimeDir, { recursive: true, force: true });
  }
  return checks;
};
