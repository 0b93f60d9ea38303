// Layered policy: built-in defaults, system, user, env-reached, project. Who may loosen: src/trust/layers.ts.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, isBlastgateError } from '../errors.js';
import type { LayerProblem } from '../rulesets/types.js';
import type { Actor, Decision, Severity } from '../types.js';
import { mayLoosen, signatureCanLoosen } from '../trust/layers.js';
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
  /** The sandbox's egress gate (src/egress/settings.ts reads it; only a trusted system layer may loosen). */
  egress?: { default?: 'allow' | 'deny'; allow?: string[]; resolve?: Record<string, string>; ca?: string[] };
}

/** Where a layer was read from; what each may do is in src/trust/layers.ts. */
export type LayerOrigin = 'default' | 'system' | 'user' | 'env' | 'project';

export interface PolicyLayer {
  origin: LayerOrigin;
  file: string | null;
  data: PolicyFile;
  /** May this layer lower a decision? Only built-in, a trusted system file, or a validly signed user file. */
  canLoosen: boolean;
  /** Its content came from a valid signature made with the approval key. */
  signed?: boolean;
}

export interface Policy {
  layers: PolicyLayer[];
  locked: boolean;
  productionPatterns: string[];
  raiseOnProduction: boolean;
  confirm: Required<NonNullable<PolicyFile['confirm']>>;
  approval: Required<NonNullable<PolicyFile['approval']>>;
  resolve: Required<NonNullable<PolicyFile['resolve']>>;
  /** User/project/env config files set aside (broken): commands a rule matched need confirmation. */
  problems?: LayerProblem[];
  /** One-line notices for stderr (e.g. unsigned loosening ignored). */
  warnings?: string[];
}

export const DEFAULT_POLICY: Required<Omit<PolicyFile, 'rules' | 'egress'>> & { rules: Record<string, ActorDecision> } = {
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
const SEVERITY_SET = new Set(['low', 'medium', 'high', 'critical']);
const TOP_KEYS = new Set(['locked', 'production', 'decisions', 'rules', 'confirm', 'approval', 'resolve', 'sandbox', 'egress']);
const PASSPHRASE_MODES = ['never', 'critical-production', 'production', 'always'];

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Line of `key:` in a config's text (errors only), or null. */
export const lineOfKey = (text: string, key: string): number | null => {
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const n = text.split('\n').findIndex((l) => new RegExp(`^\\s*["']?${esc}["']?\\s*:`).test(l));
  return n < 0 ? null : n + 1;
};

// Checked by hand (not ajv) to keep policy loading off the schema compiler on the hot path.
export const validatePolicy = (data: unknown, file: string, text = ''): PolicyFile => {
  if (data === null || data === undefined) return {};
  const at = (key: string) => `${file}:${lineOfKey(text, key) ?? 1}`;
  if (!isMapping(data)) throw new ConfigError(`${file}:1: expected a mapping at the top level`);
  for (const key of Object.keys(data)) if (!TOP_KEYS.has(key)) throw new ConfigError(`${at(key)}: unknown key "${key}" (known: ${[...TOP_KEYS].join(', ')})`);
  for (const key of ['production', 'decisions', 'rules', 'confirm', 'approval', 'resolve']) {
    if (data[key] !== undefined && data[key] !== null && !isMapping(data[key])) throw new ConfigError(`${at(key)}: ${key}: expected a mapping, got ${JSON.stringify(data[key])}`);
  }
  if (data.locked !== undefined && typeof data.locked !== 'boolean') throw new ConfigError(`${at('locked')}: locked: expected true or false`);
  const p = data as PolicyFile;
  const checkDecision = (v: unknown, where: string, key: string) => {
    if (typeof v === 'string' && DECISION_SET.has(v)) return;
    if (isMapping(v) && Object.entries(v).every(([k, d]) => (k === 'human' || k === 'agent') && DECISION_SET.has(d as string))) return;
    throw new ConfigError(`${at(key)}: ${where}: expected allow, confirm, deny or {human, agent}, got ${JSON.stringify(v)}`);
  };
  for (const [id, v] of Object.entries(p.rules ?? {})) checkDecision(v, `rules.${id}`, id);
  for (const key of Object.keys(p.decisions ?? {})) {
    if (!['human', 'agent', 'unknown'].includes(key)) throw new ConfigError(`${at(key)}: decisions: unknown key "${key}" (known: human, agent, unknown)`);
  }
  for (const actor of ['human', 'agent'] as const) {
    const table = p.decisions?.[actor];
    if (table === undefined) continue;
    if (!isMapping(table)) throw new ConfigError(`${at(actor)}: decisions.${actor}: expected a mapping of severity to decision, got ${JSON.stringify(table)}`);
    for (const [sev, v] of Object.entries(table)) {
      if (!SEVERITY_SET.has(sev)) throw new ConfigError(`${at(sev)}: decisions.${actor}: unknown severity "${sev}"`);
      checkDecision(v, `decisions.${actor}.${sev}`, sev);
    }
  }
  if (p.decisions?.unknown !== undefined) checkDecision(p.decisions.unknown, 'decisions.unknown', 'unknown');
  if (p.production?.patterns !== undefined && (!Array.isArray(p.production.patterns) || !p.production.patterns.every((x) => typeof x === 'string'))) throw new ConfigError(`${at('patterns')}: production.patterns: expected a list of names`);
  if (p.production?.raise !== undefined && typeof p.production.raise !== 'boolean') throw new ConfigError(`${at('raise')}: production.raise: expected true or false`);
  if (p.confirm?.typeName !== undefined && (!Array.isArray(p.confirm.typeName) || !p.confirm.typeName.every((x) => SEVERITY_SET.has(x)))) throw new ConfigError(`${at('typeName')}: confirm.typeName: expected a list of severities`);
  if (p.confirm?.passphrase !== undefined && !PASSPHRASE_MODES.includes(p.confirm.passphrase)) throw new ConfigError(`${at('passphrase')}: confirm.passphrase: expected one of ${PASSPHRASE_MODES.join(', ')}`);
  if (p.resolve?.network !== undefined && typeof p.resolve.network !== 'boolean') throw new ConfigError(`${at('network')}: resolve.network: expected true or false`);
  for (const [k, v] of [['approval.wait', p.approval?.wait], ['approval.ttl', p.approval?.ttl], ['confirm.timeout', p.confirm?.timeout], ['resolve.timeout', p.resolve?.timeout]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new ConfigError(`${at(k.split('.')[1]!)}: ${k}: expected a number ≥ 0, got ${JSON.stringify(v)}`);
  }
  return p;
};

/** Parse a config's text (YAML or JSON) and validate it. Slow path: YAML loads lazily. */
export const parseConfigText = async (text: string, file: string): Promise<PolicyFile> => {
  let data: unknown;
  if (file.endsWith('.json')) {
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${file}:1: invalid JSON: ${(err as Error).message}`);
    }
  } else {
    const { parseDocument, LineCounter } = await import('yaml');
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new ConfigError(`${file}:${e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line}: YAML error: ${e.message.split('\n')[0]}`);
    }
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(`${file}:1: YAML error: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return validatePolicy(data, file, text);
};

export const readConfigText = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new ConfigError(`${file}: cannot read config (${code ?? 'error'})`);
  }
};

/**
 * Read a YAML (or JSON) config, caching the parsed form by content hash: YAML parsing costs ~80 ms and
 * must stay off the hot path. The cache lives where the caller can write, so it is re-validated and only
 * ever feeds a tighten-only layer (a signed file's content comes from its signature, never the cache).
 */
const readConfig = async (file: string, text: string, cacheDir: string | null): Promise<PolicyFile> => {
  const { createHash } = await import('node:crypto');
  const key = createHash('sha256').update(text).digest('hex').slice(0, 32);
  const cached = cacheDir ? join(cacheDir, `config-${key}.json`) : null;
  if (cached) {
    try {
      return validatePolicy(JSON.parse(readFileSync(cached, 'utf8')), file);
    } catch {
      // not cached yet (or not a policy): parse the file
    }
  }
  const policy = await parseConfigText(text, file);
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

const CONFIG_NAMES = ['config.yaml', 'config.yml', 'config.json'];

/** The config file in a dir and its text, or null. */
export const configFileIn = (dir: string): { file: string; text: string } | null => {
  for (const name of CONFIG_NAMES) {
    const file = join(dir, name);
    const text = readConfigText(file);
    if (text !== null) return { file, text };
  }
  return null;
};

export const projectConfigDir = (cwd: string): string | null => findUp(cwd, '.blastgate');

export interface LoadPolicyOptions {
  paths: Paths;
  cwd: string;
  /** Unused: who asks never changes which files may loosen. */
  actor?: Actor;
}

const configProblem = (file: string, err: unknown): LayerProblem => {
  if (!isBlastgateError(err)) throw err;
  const message = (err as Error).message.split('\n')[0]!;
  const m = message.slice(file.length).match(/^:(\d+)/);
  return { file, line: m ? Number(m[1]) : null, message, binaries: null };
};

export const loadPolicy = async ({ paths, cwd }: LoadPolicyOptions): Promise<Policy> => {
  const cacheDir = join(paths.stateDir, 'cache');
  const layers: PolicyLayer[] = [{ origin: 'default', file: null, data: DEFAULT_POLICY, canLoosen: true }];
  const problems: LayerProblem[] = [];
  const warnings: string[] = [];
  /** A layer nobody trusted wrote: it may tighten; if broken, it is set aside as a problem. */
  const tightenOnly = async (dir: string, origin: 'user' | 'env' | 'project') => {
    let found: { file: string; text: string } | null = null;
    try {
      found = configFileIn(dir);
      if (found) layers.push({ origin, file: found.file, data: await readConfig(found.file, found.text, cacheDir), canLoosen: mayLoosen(origin) });
    } catch (err) {
      problems.push(configProblem(found?.file ?? dir, err));
    }
  };
  for (const { dir, trusted } of paths.systemDirs) {
    if (!trusted) {
      await tightenOnly(dir, 'env');
      continue;
    }
    // Root-owned: parsed every time (never from a user-writable cache); broken → exit 2, fail closed.
    const found = configFileIn(dir);
    if (found) layers.push({ origin: 'system', file: found.file, data: await parseConfigText(found.text, found.file), canLoosen: mayLoosen('system') });
  }
  const locked = layers.some((l) => l.origin === 'system' && l.data.locked === true);
  const before = layers.length;
  await tightenOnly(paths.configDir, 'user');
  const user = layers.length > before ? layers[layers.length - 1]! : null;
  if (user?.file) {
    const loosening = loosensAnything(user.data);
    // Only the signature's own copy of the content may loosen; it is bound to the file's exact bytes.
    const signed = existsSync(`${user.file}.sig`)
      ? await (await import('../trust/signature.js')).signedPolicy(user.file, readConfigText(user.file) ?? '', paths)
      : { policy: null, why: 'it is not signed' };
    if (signed.policy && !locked && signatureCanLoosen('user')) {
      layers[layers.length - 1] = { origin: 'user', file: user.file, data: signed.policy, canLoosen: true, signed: true };
    } else if (loosening) {
      const fix = locked ? 'the system policy is locked' : `${signed.why}; only its tightening applies — a human signs it with \`blastgate policy sign\``;
      warnings.push(`blastgate: ${user.file} loosens the gate (${loosening}) but ${fix}`);
    }
  }
  for (const dir of paths.envConfigDirs) await tightenOnly(dir, 'env');
  const projectDir = projectConfigDir(cwd);
  if (projectDir) await tightenOnly(projectDir, 'project');
  return { ...summarize(layers, locked), problems, warnings };
};

const DECISION_RANK: Record<string, number> = { allow: 0, confirm: 1, deny: 2 };

/** The first setting in a file that would lower something below the defaults, or null (for the warning). */
export const loosensAnything = (p: PolicyFile): string | null => {
  const lowest = (v: ActorDecision | undefined): number =>
    v === undefined ? 3 : typeof v === 'string' ? DECISION_RANK[v]! : Math.min(...Object.values(v).map((d) => DECISION_RANK[d as string]!));
  for (const actor of ['human', 'agent'] as const) {
    for (const [sev, v] of Object.entries(p.decisions?.[actor] ?? {})) {
      if (lowest(v) < DECISION_RANK[DEFAULT_POLICY.decisions[actor]![sev as Severity]!]!) return `decisions.${actor}.${sev}: ${JSON.stringify(v)}`;
    }
  }
  if (p.decisions?.unknown !== undefined && lowest(p.decisions.unknown) < 1) return 'decisions.unknown';
  for (const [id, v] of Object.entries(p.rules ?? {})) if (lowest(v) < 1) return `rules.${id}: ${JSON.stringify(v)}`;
  if (p.production?.raise === false) return 'production.raise: false';
  if (p.confirm?.passphrase && PASSPHRASE_MODES.indexOf(p.confirm.passphrase) < PASSPHRASE_MODES.indexOf(DEFAULT_POLICY.confirm.passphrase!)) return `confirm.passphrase: ${p.confirm.passphrase}`;
  if (p.confirm?.timeout !== undefined && p.confirm.timeout > DEFAULT_POLICY.confirm.timeout!) return 'confirm.timeout';
  if (p.approval?.ttl !== undefined && p.approval.ttl > DEFAULT_POLICY.approval.ttl!) return 'approval.ttl';
  if (p.approval?.wait !== undefined && p.approval.wait > DEFAULT_POLICY.approval.wait!) return 'approval.wait';
  if (p.resolve?.network === true) return 'resolve.network: true';
  return null;
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
