// Sandbox profiles: which extra paths an agent may write, which extra credentials to hide, which guarded
// tools to cover. Built-ins are YAML data compiled to JSON at build time (src/sandbox/profiles/*.yaml).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';

export interface SandboxProfile {
  name: string;
  description: string;
  /** Paths (`~/` = home) bound writable besides the workspace; missing ones are skipped. */
  writable: string[];
  /** Paths under /tmp, /var/tmp or /run (private inside the jail) to show read-only anyway. */
  readable: string[];
  /** Extra credentials to hide besides the rulesets' (swapped back for no tool). */
  credentials: { env: string[]; files: string[] };
  /** `all` guarded tools, or a list of program names. */
  cover: 'all' | string[];
  /** Guarded programs (`*` globs) left to run inside the jail (confined by it) instead of through the broker. */
  inside: string[];
  /** Extra directories to search for guarded binaries. */
  binDirs: string[];
  /** A strict sandbox: only gated hosts (still judged) and `allow` get out. Only tightens the system policy. */
  egress: { default: 'allow' | 'deny'; allow: string[] };
}

export const BUILTIN_PROFILES = ['generic', 'claude', 'codex', 'gemini', 'cursor-agent'] as const;

const here = dirname(fileURLToPath(import.meta.url));
const strings = (v: unknown, where: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${where}: must be a list of strings`);
  return v as string[];
};

/** Validates one parsed profile; `file` names it in errors. */
export const profileFrom = (raw: unknown, file: string): SandboxProfile => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: a sandbox profile must be a mapping`);
  const r = raw as Record<string, unknown>;
  const known = new Set(['name', 'description', 'writable', 'readable', 'credentials', 'cover', 'inside', 'binDirs', 'egress']);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new ConfigError(`${file}: unknown key ${JSON.stringify(k)} (known: ${[...known].join(', ')})`);
  const creds = (r.credentials ?? {}) as Record<string, unknown>;
  if (typeof creds !== 'object' || Array.isArray(creds)) throw new ConfigError(`${file}: credentials: must be a mapping with env and files`);
  const cover = r.cover ?? 'all';
  if (cover !== 'all' && !Array.isArray(cover)) throw new ConfigError(`${file}: cover: must be "all" or a list of program names`);
  const egress = (r.egress ?? {}) as Record<string, unknown>;
  if (typeof egress !== 'object' || Array.isArray(egress)) throw new ConfigError(`${file}: egress: must be a mapping with default and allow`);
  if (egress.default !== undefined && egress.default !== 'allow' && egress.default !== 'deny') throw new ConfigError(`${file}: egress.default: must be allow or deny`);
  return {
    name: typeof r.name === 'string' ? r.name : file,
    description: typeof r.description === 'string' ? r.description : '',
    writable: strings(r.writable, `${file}: writable`),
    readable: strings(r.readable, `${file}: readable`),
    credentials: { env: strings(creds.env, `${file}: credentials.env`), files: strings(creds.files, `${file}: credentials.files`) },
    cover: cover === 'all' ? 'all' : strings(cover, `${file}: cover`),
    inside: strings(r.inside, `${file}: inside`),
    binDirs: strings(r.binDirs, `${file}: binDirs`),
    egress: { default: egress.default === 'deny' ? 'deny' : 'allow', allow: strings(egress.allow, `${file}: egress.allow`) },
  };
};

/** Built-ins: dist/sandbox-profiles.json (compiled by the build), or the YAML when running from source. */
const builtinProfiles = async (): Promise<Record<string, unknown>> => {
  const compiled = join(here, 'sandbox-profiles.json');
  if (existsSync(compiled)) return JSON.parse(readFileSync(compiled, 'utf8')) as Record<string, unknown>;
  const { parse } = await import('yaml');
  const dir = join(here, 'profiles');
  return Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => [f.slice(0, -5), parse(readFileSync(join(dir, f), 'utf8'))]));
};

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

/**
 * Why: every profile extends `generic`, so what must stay inside the jail (interpreters, project-code
 * runners) and the common credential files cannot be forgotten by a profile, only added to.
 */
const onGeneric = (base: SandboxProfile, p: SandboxProfile): SandboxProfile => ({
  ...p,
  writable: union(base.writable, p.writable),
  readable: union(base.readable, p.readable),
  credentials: { env: union(base.credentials.env, p.credentials.env), files: union(base.credentials.files, p.credentials.files) },
  inside: union(base.inside, p.inside),
  binDirs: union(base.binDirs, p.binDirs),
  egress: base.egress.default === 'deny' || p.egress.default === 'deny' ? { default: 'deny', allow: union(base.egress.allow, p.egress.allow) } : p.egress,
});

/** A built-in name (`claude`) or a YAML file of the user's; both extend `generic`. */
export const loadProfile = async (nameOrFile: string): Promise<SandboxProfile> => {
  const all = await builtinProfiles();
  const generic = profileFrom(all.generic, 'profile generic');
  if (!nameOrFile.includes('/') && !nameOrFile.endsWith('.yaml') && !nameOrFile.endsWith('.yml')) {
    if (!(nameOrFile in all)) throw new ConfigError(`sandbox: no built-in profile ${JSON.stringify(nameOrFile)} (built-ins: ${BUILTIN_PROFILES.join(', ')}; or give a .yaml file)`);
    return onGeneric(generic, profileFrom(all[nameOrFile], `profile ${nameOrFile}`));
  }
  let text: string;
  try {
    text = readFileSync(nameOrFile, 'utf8');
  } catch (err) {
    throw new ConfigError(`sandbox: cannot read profile ${nameOrFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(`${nameOrFile}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
  }
  return onGeneric(generic, profileFrom(doc.toJS(), nameOrFile));
};

/** The built-in profile matching the agent's program name, else generic. */
export const defaultProfileFor = (command: string[]): string => {
  const prog = (command[0] ?? '').split('/').pop() ?? '';
  return (BUILTIN_PROFILES as readonly string[]).includes(prog) ? prog : 'generic';
};
