// Everything a sandbox needs before it starts, decided outside: the client file, what to cover, what to
// mask, the placeholders. Produces the JailSpec (for any Jail) and the broker's options.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../engine.js';
import { UsageError } from '../errors.js';
import { isShimDir } from '../shims/marker.js';
import { packageRoot } from '../shims/self.js';
import { findCovered, searchDirs, type Covered } from './cover.js';
import { credentialsByTool, envSecrets, expandHome, nameMatches, newPlaceholder, type CredentialNames, type EnvSecret } from './credentials.js';
import { PRIVATE_TMPFS, type JailSpec } from './jail.js';
import { planEgress, type EgressPlan } from '../egress/plan.js';
import type { EgressCa } from '../egress/ca.js';
import type { SandboxProfile } from './profile.js';

export interface SandboxPlan {
  id: string;
  runtimeDir: string;
  socketPath: string;
  spec: JailSpec;
  covered: Covered[];
  /** Covered path → program, what the broker may run. */
  coveredPaths: Map<string, string>;
  secrets: EnvSecret[];
  credentialsByTool: Record<string, CredentialNames>;
  /** Credential files and dirs hidden behind placeholders. */
  maskedCredentials: string[];
  /** blastgate's own state, config and system dirs hidden inside. */
  maskedState: string[];
  /** The egress gate: proxy socket, CA, what the jail sees (none without a CA: `doctor`). */
  egress: EgressPlan | null;
}

const RUNTIME_PREFIX = 'blastgate-sandbox-';

const here = dirname(fileURLToPath(import.meta.url));

/** The client bundle (dist/sandbox-client.js), from the bundle itself or from source. */
const clientBundle = (): string => {
  for (const c of [join(here, 'sandbox-client.js'), join(here, '..', '..', 'dist', 'sandbox-client.js')]) if (existsSync(c)) return c;
  throw new UsageError('sandbox: dist/sandbox-client.js is missing; run `npm run build`');
};

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Why: a broker killed with SIGKILL cannot clean up; the next sandbox removes what it left. */
export const sweepStaleRuntimeDirs = (base = tmpdir()): void => {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const n of names) {
    const m = new RegExp(`^${RUNTIME_PREFIX}(\\d+)-`).exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    const dir = join(base, n);
    try {
      if (statSync(dir).uid === uid) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another user's, or gone already
    }
  }
};

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export interface PlanInput {
  engine: Engine;
  profile: SandboxProfile;
  command: string[];
  workspace: string;
  env: Record<string, string | undefined>;
  /** The install's egress CA (src/egress/ca.ts ensureCa); without it the jail has loopback only. */
  egressCa?: EgressCa;
}

export const planSandbox = (input: PlanInput): SandboxPlan => {
  const { engine, profile, env } = input;
  const home = env.HOME ?? '/';
  sweepStaleRuntimeDirs();
  const runtimeDir = mkdtempSync(join(tmpdir(), `${RUNTIME_PREFIX}${process.pid}-`));
  chmodSync(runtimeDir, 0o700);
  const id = runtimeDir.slice(runtimeDir.lastIndexOf('-') + 1).toLowerCase();
  const sockDir = join(runtimeDir, 'sock');
  const agentTmp = join(runtimeDir, 'tmp');
  const holders = join(runtimeDir, 'placeholders');
  for (const d of [sockDir, agentTmp, holders]) mkdirSync(d, { mode: 0o700 });

  const client = join(runtimeDir, 'client');
  writeFileSync(client, `#!${process.execPath}\n${readFileSync(clientBundle(), 'utf8')}`, { mode: 0o755 });

  // Which programs to cover: every guarded one, or the profile's list, less those it runs inside.
  const guarded = Object.keys(engine.index.byBinary);
  const wanted = new Set((profile.cover === 'all' ? guarded : profile.cover).filter((p) => !profile.inside.some((i) => nameMatches(i, p))));
  const pathDirs = (env.PATH ?? '').split(':').filter((d) => d && !isShimDir(d));
  const dirs = searchDirs({ path: pathDirs.join(':'), home, workspace: input.workspace, extra: profile.binDirs });
  const covered = findCovered(wanted, dirs, new Set([client]));
  const coveredPaths = new Map<string, string>();
  for (const c of covered) for (const p of c.paths) coveredPaths.set(p, c.programs.join(', '));

  // Credentials of the covered tools only: a tool left inside the jail (Django's manage.py) must keep
  // working with its own settings; a value shared with a covered tool (DATABASE_URL) is hidden anyway.
  const creds = credentialsByTool(engine.index);
  const coveredCreds = Object.entries(creds).filter(([tool]) => wanted.has(tool)).map(([, c]) => c);
  // With the egress gate, a credential that names its API hosts is hidden whoever uses it: the gate puts it
  // back on the wire toward those hosts only (an uncovered tool or a script gets the placeholder).
  const wireCreds = input.egressCa ? engine.index.rulesets.filter((set) => (set.credentials?.hosts?.length ?? 0) > 0).flatMap((set) => set.credentials?.env ?? []) : [];
  const envPatterns = [...new Set([...coveredCreds.flatMap((c) => c.env), ...wireCreds, ...profile.credentials.env])];
  const secrets = envSecrets(env, envPatterns);
  const credFiles = [...new Set([...coveredCreds.flatMap((c) => c.files), ...profile.credentials.files].map((f) => expandHome(f, home)))];

  const masks: JailSpec['masks'] = [];
  const maskedCredentials: string[] = [];
  for (const f of credFiles) {
    if (!existsSync(f)) continue;
    maskedCredentials.push(f);
    if (isDir(f)) masks.push({ path: f, replacement: { kind: 'empty-dir' } });
    else {
      const source = join(holders, `${maskedCredentials.length}`);
      writeFileSync(source, `${newPlaceholder()}\n`, { mode: 0o444 });
      masks.push({ path: f, replacement: { kind: 'file', source } });
    }
  }
  // The CA's key lives in the data dir, which exists by now (ensureCa) and is masked below.
  const egress = input.egressCa ? planEgress(input.egressCa, sockDir, env) : null;
  if (egress) masks.push(...egress.masks);
  // blastgate's own state (approvals, audit log), config (approval key, policy) and system dir.
  // Every config and system dir the gate reads (also the tighten-only ones reached through HOME/XDG/BLASTGATE_SYSTEM_DIR).
  const maskedState = [...new Set([engine.paths.stateDir, engine.paths.configDir, ...engine.paths.envConfigDirs, engine.paths.dataDir, engine.paths.systemDir, ...engine.paths.systemDirs.map((s) => s.dir)])].filter(isDir);
  for (const d of maskedState) masks.push({ path: d, replacement: { kind: 'empty-dir' } });

  const underPrivate = (p: string) => PRIVATE_TMPFS.some((d) => p === d || p.startsWith(`${d}/`));
  // blastgate itself (the client covering each tool runs it) and node stay visible even under /tmp.
  const readable = [...new Set([home, packageRoot(), dirname(process.execPath), ...profile.readable.map((r) => expandHome(r, home))])].filter((r) => r !== '/' && underPrivate(r) && existsSync(r));
  const writable = [...profile.writable.map((w) => expandHome(w, home)).filter((w) => existsSync(w)), agentTmp];
  const jailEnv: Record<string, string | null> = {
    BLASTGATE_ACTOR: 'agent',
    BLASTGATE_SANDBOX: id,
    TMPDIR: agentTmp,
    PATH: pathDirs.join(':') || '/usr/local/bin:/usr/bin:/bin',
  };
  for (const s of secrets) jailEnv[s.name] = s.placeholder;
  if (egress) Object.assign(jailEnv, egress.env);

  if (!isDir(input.workspace)) throw new UsageError(`sandbox: --workspace ${input.workspace} is not a directory`);
  const spec: JailSpec = {
    command: input.command,
    workspace: input.workspace,
    writable,
    readable,
    covers: covered.map((c) => ({ path: c.real, client })),
    masks,
    socketDir: sockDir,
    env: jailEnv,
    egress: egress ? egress.egress : { kind: 'none' },
  };
  return { id, runtimeDir, socketPath: join(sockDir, 'broker.sock'), spec, covered, coveredPaths, secrets, credentialsByTool: creds, maskedCredentials, maskedState, egress };
};
