// `blastgate sandbox [--profile P] [--workspace DIR] -- <command…>`: run an agent in a jail where every
// guarded tool is the blastgate client and credentials are placeholders; stay outside as its broker.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { isatty } from 'node:tty';
import { loadEngine } from '../engine.js';
import { DeniedError, UsageError } from '../errors.js';
import { startBroker } from '../sandbox/broker.js';
import { bubblewrapJail, type Jail } from '../sandbox/jail.js';
import { defaultProfileFor, loadProfile } from '../sandbox/profile.js';
import { planSandbox } from '../sandbox/setup.js';
import { pinnedProfile } from '../sandbox/system-pin.js';

export interface SandboxOptions {
  command: string[];
  profile?: string;
  workspace?: string;
  env?: Record<string, string | undefined>;
  jail?: Jail;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };

/** Returns the agent's exit code once the jail is gone and the broker has cleaned up. */
export const runSandbox = async (opts: SandboxOptions): Promise<number> => {
  if (opts.command.length === 0) throw new UsageError('sandbox: missing the command: blastgate sandbox [--profile P] [--workspace DIR] -- <command…>');
  const env = opts.env ?? process.env;
  const jail = opts.jail ?? bubblewrapJail();
  const availability = jail.available();
  const workspace = resolve(opts.workspace ?? process.cwd());
  const engine = await loadEngine({ env, cwd: workspace });
  const available = await availability;
  // Never run the agent unconfined: no jail, no agent.
  if (!available.ok) throw new UsageError(`sandbox: cannot start: ${available.missing}`);
  const pinned = pinnedProfile(engine.policy);
  if (pinned && opts.profile && opts.profile !== pinned) throw new DeniedError(`sandbox: the system policy pins the profile to ${JSON.stringify(pinned)}; --profile is not allowed`);
  const profile = await loadProfile(pinned ?? opts.profile ?? defaultProfileFor(opts.command));
  const { ensureCa } = await import('../egress/ca.js');
  const egressCa = await ensureCa(engine.paths.dataDir);
  const plan = planSandbox({ engine, profile, command: opts.command, workspace, env, egressCa });
  const cleanupDir = () => rmSync(plan.runtimeDir, { recursive: true, force: true });
  let broker;
  try {
    broker = await startBroker({
      socketPath: plan.socketPath,
      sandboxId: plan.id,
      agentCommand: opts.command,
      covered: plan.coveredPaths,
      secrets: plan.secrets,
      credentialsByTool: plan.credentialsByTool,
      writable: [plan.spec.workspace, ...plan.spec.writable],
      env,
      ...(plan.egress ? { egress: { socketPath: plan.egress.socketPath, ca: plan.egress.ca, profile: profile.egress } } : {}),
    });
  } catch (err) {
    cleanupDir();
    throw err;
  }
  const child = jail.start(plan.spec, 'inherit');
  let killedBy: string | null = null;
  const stop = (sig: NodeJS.Signals) => {
    // At a terminal, Ctrl-C is the agent's to handle (a TUI reads it as a key); it never ends the sandbox.
    if (sig === 'SIGINT' && isatty(0)) return;
    killedBy ??= sig;
    // Killing bubblewrap kills the jail's PID namespace: every process the agent started dies with it.
    child.kill('SIGKILL');
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stop);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('error', () => res({ code: 127, signal: null }));
    child.once('exit', (code, signal) => res({ code, signal }));
  });
  for (const s of signals) process.off(s, stop);
  await broker.close();
  cleanupDir();
  if (killedBy) return 128 + (SIGNAL_NUMBERS[killedBy] ?? 1);
  if (exit.signal) return 128 + (SIGNAL_NUMBERS[exit.signal] ?? 1);
  return exit.code ?? 1;
};
