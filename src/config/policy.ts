// Layered policy: built-in defaults, system, user, project. Only files an agent cannot write may loosen.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Actor, Decision, Severity } from '../types.js';
import { findUp, type Paths } from './paths.js';

export type ActorDecision = Decision | { human?: Decision; agent?: Decision };

export interface PolicyFile {
  /** System only: user files can no longer loosen anything. */
  locked?: boolean;
  production?: { patterns?: string[]; raise?: boolean };
  decisions?: { human?: Partial<Record<Severity, Decision>>; agent?: Partial<Record<Severity, Decision>>; unknown?: ActorDecision };
  /** Rule id (or `tool:*`) → decision. */
  rules?: Record<string, ActorDecision>;
  confirm?: { timeout?: number; typeName?: Severity[]; passphrase?: 'never' | 'critical-production' | 'production' | 'always' };
  approval?: { wait?: number; ttl?: number };
  resolve?: { timeout?: number; network?: boolean };
}

export type LayerOrigin = 'default' | 'system' | 'user' | 'project';

export interface PolicyLayer {
  origin: LayerOrigin;
  file: string | null;
  data: PolicyFile;
  /** May this layer lower a decision? False for project files and anything an agent could have written. */
  canLoosen: boolean;
}

export interface Policy {
  layers: PolicyLayer[];
  locked: boolean;
  productionPatterns: string[];
  raiseOnProduction: boolean;
  confirm: Required<NonNullable<PolicyFile['confirm']>>;
  approval: Required<NonNullable<PolicyFile['approval']>>;
  resolve: Required<NonNullable<PolicyFile['resolve']>>;
}

export const DEFAULT_POLICY: Required<Omit<PolicyFile, 'rules'>> & { rules: Record<string, ActorDecision> } = {
  locked: false,
  production: { patterns: ['prod', 'production', 'prd', 'live'], raise: true },
  decisions: {
    human: { low: 'allow', medium: 'allow', high: 'confirm', critical: 'confirm' },
    agent: { low: 'allow', medium: 'confirm', high: 'confirm', critical: 'confirm' },
    unknown: 'confirm',
  },
  rules: {},
  confirm: { timeout: 60, typeName: ['critical'], passphrase: 'critical-production' },
  approval: { wait: 120, ttl: 600 },
  resolve: { timeout: 3000, network: false },
};

const DECISION_SET = new Set(['allow', 'confirm', 'deny']);
const TOP_KEYS = new Set(['locked', 'production', 'decisions', 'rules', 'confirm', 'approval', 'resolve', 'sandbox']);

// Checked by hand (not ajv) to keep policy loading off the schema compiler on the hot path.
const validatePolicy = (data: unknown, file: string): PolicyFile => {
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`${file}: expected a mapping at the top level`);
  for (const key of Object.keys(data)) if (!TOP_KEYS.has(key)) throw new ConfigError(`${file}: unknown key "${key}" (known: ${[...TOP_KEYS].join(', ')})`);
  const p = data as PolicyFile;
  const checkDecision = (v: unknown, where: string) => {
    if (typeof v === 'string' && DECISION_SET.has(v)) return;
    if (v && typeof v === 'object' && Object.entries(v).every(([k, d]) => (k === 'human' || k === 'agent') && DECISION_SET.has(d as string))) return;
    throw new ConfigError(`${file}: ${where}: expected allow, confirm, deny or {human, agent}, got ${JSON.stringify(v)}`);
  };
  for (const [id, v] of Object.entries(p.rules ?? {})) checkDecision(v, `rules.${id}`);
  for (const actor of ['human', 'agent'] as const) {
    for (const [sev, v] of Object.entries(p.decisions?.[actor] ?? {})) {
      if (!['low', 'medium', 'high', 'critical'].includes(sev)) throw new ConfigError(`${file}: decisions.${actor}: unknown severity "${sev}"`);
      checkDecision(v, `decisions.${actor}.${sev}`);
    }
  }
  if (p.decisions?.unknown !== undefined) checkDecision(p.decisions.unknown, 'decisions.unknown');
  if (p.production?.patterns && !Array.isArray(p.production.patterns)) throw new ConfigError(`${file}: production.patterns: expected a list`);
  for (const [k, v] of [['approval.wait', p.approval?.wait], ['approval.ttl', p.approval?.ttl], ['confirm.timeout', p.confirm?.timeout], ['resolve.timeout', p.resolve?.timeout]] as const) {
    if (v !== undefined && (typeof v !== 'number' || v < 0)) throw new ConfigError(`${file}: ${k}: expected a number ≥ 0, got ${JSON.stringify(v)}`);
  }
  return p;
};

/**
 * Read a YAML (or JSON) config, caching the parsed form by content hash: YAML parsing costs ~80 ms and
 * must stay off the hot path. The cache entry is only used for the exact bytes it was made from.
 */
const readConfig = async (file: string, cacheDir: string | null): Promise<PolicyFile | null> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const cached = cacheDir ? join(cacheDir, `config-${key}.json`) : null;
  if (cached) {
    try {
      return JSON.parse(readFileSync(cached, 'utf8')) as PolicyFile;
    } catch {
      // not cached yet
    }
  }
  let data: unknown;
  if (file.endsWith('.json')) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${file}: invalid JSON: ${(err as Error).message}`);
    }
  } else {
    const { parseDocument, LineCounter } = await import('yaml');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new ConfigError(`${file}:${e.linePos?.[0]?.line ?? 1}: YAML error: ${e.message.split('\n')[0]}`);
    }
    data = doc.toJS();
  }
  const policy = validatePolicy(data, file);
  if (cached) {
    try {
      mkdirSync(dirname(cached), { recursive: true, mode: 0o700 });
      writeFileSync(`${cached}.${process.pid}`, JSON.stringify(policy));
      renameSync(`${cached}.${process.pid}`, cached);
    } catch {
      // cache is only an optimisation
    }
  }
  return policy;
};

const firstConfig = async (dir: string, cacheDir: string | null) => {
  for (const name of ['config.yaml', 'config.yml', 'config.json']) {
    const file = join(dir, name);
    const data = await readConfig(file, cacheDir);
    if (data) return { file, data };
  }
  return null;
};

/** A system dir counts as system only when the current user cannot write it (root-owned, no group/other write). */
const isProtected = (dir: string): boolean => {
  try {
    const st = statSync(dir);
    return st.uid === 0 && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
};

export const projectConfigDir = (cwd: string): string | null => findUp(cwd, '.blastgate');

export interface LoadPolicyOptions {
  paths: Paths;
  cwd: string;
  actor: Actor;
}

export const loadPolicy = async ({ paths, cwd, actor }: LoadPolicyOptions): Promise<Policy> => {
  const cacheDir = join(paths.stateDir, 'cache');
  const layers: PolicyLayer[] = [{ origin: 'default', file: null, data: DEFAULT_POLICY, canLoosen: true }];
  // The default system dir is always read, so pointing BLASTGATE_SYSTEM_DIR elsewhere cannot escape a lock.
  const systemDirs = [...new Set([paths.defaultSystemDir, paths.systemDir])];
  for (const dir of systemDirs) {
    const found = await firstConfig(dir, null);
    if (!found) continue;
    const trusted = dir === paths.defaultSystemDir || isProtected(dir);
    layers.push({ origin: 'system', file: found.file, data: found.data, canLoosen: trusted });
  }
  const locked = layers.some((l) => l.origin === 'system' && l.data.locked === true && (l.canLoosen || l.file?.startsWith(paths.defaultSystemDir)));
  const user = await firstConfig(paths.configDir, cacheDir);
  if (user) {
    const canLoosen = !locked && !(actor === 'agent' && paths.configDirFromEnv);
    layers.push({ origin: 'user', file: user.file, data: user.data, canLoosen });
  }
  const projectDir = projectConfigDir(cwd);
  const project = projectDir ? await firstConfig(projectDir, cacheDir) : null;
  if (project) layers.push({ origin: 'project', file: project.file, data: project.data, canLoosen: false });
  return summarize(layers, locked);
};

const PASSPHRASE_ORDER = ['never', 'critical-production', 'production', 'always'] as const;

/** A layer that may not loosen can still tighten a knob: shorter waits and TTLs, more typed names. */
const tightenKnobs = (p: Pick<Policy, 'confirm' | 'approval'>, l: PolicyLayer) => {
  const c = l.data.confirm ?? {};
  const a = l.data.approval ?? {};
  if (c.timeout !== undefined) p.confirm.timeout = Math.min(p.confirm.timeout, c.timeout);
  if (c.typeName) p.confirm.typeName = [...new Set([...p.confirm.typeName, ...c.typeName])];
  if (c.passphrase && PASSPHRASE_ORDER.indexOf(c.passphrase) > PASSPHRASE_ORDER.indexOf(p.confirm.passphrase)) p.confirm.passphrase = c.passphrase;
  if (a.wait !== undefined) p.approval.wait = Math.min(p.approval.wait, a.wait);
  if (a.ttl !== undefined) p.approval.ttl = Math.min(p.approval.ttl, a.ttl);
};

// Knobs come from the last layer that may loosen, then other layers may only tighten them;
// production patterns accumulate from every layer.
const summarize = (layers: PolicyLayer[], locked: boolean): Policy => {
  const loosening = layers.filter((l) => l.canLoosen);
  const pick = <K extends 'confirm' | 'approval' | 'resolve'>(k: K) =>
    Object.assign({}, ...loosening.map((l) => l.data[k] ?? {})) as Policy[K];
  const patterns = new Set<string>();
  for (const l of layers) for (const p of l.data.production?.patterns ?? []) patterns.add(p.toLowerCase());
  const knobs = { confirm: pick('confirm'), approval: pick('approval') };
  for (const l of layers) if (!l.canLoosen) tightenKnobs(knobs, l);
  return {
    layers,
    locked,
    productionPatterns: [...patterns],
    raiseOnProduction: layers.some((l) => l.data.production?.raise === true) && !layers.some((l) => l.canLoosen && l.origin !== 'default' && l.data.production?.raise === false),
    confirm: knobs.confirm,
    approval: knobs.approval,
    resolve: pick('resolve'),
  };
};
