// What the tool will authenticate with and which environment changes what it does, as salted fingerprints.
// An approval binds these, so a token swapped after approval (staging → production) voids it. Values never
// leave this module: only HMAC-SHA256(salt, value), with a random salt per request stored beside it.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { createHmac, randomBytes } from 'node:crypto';
import type { MatchSpec, Ruleset, RuleIndex } from '../rulesets/types.js';
import type { PayloadSnapshot } from '../types.js';

/** Credential files are small; more than this is hashed as its first bytes plus its size. */
const MAX_FILE_BYTES = 1024 * 1024;

/** Everything besides the command that an approval binds; shown to the approver as names only. */
export interface BoundInputs {
  /** Random per request (hex); the fingerprints are keyed with it, so they cannot be compared across requests. */
  salt: string;
  /** `env:NAME` or `file:/abs/path` → fingerprint, or `unset` / `absent` / `not a regular file`. */
  credentials: Record<string, string>;
  /** Payloads the verdict read, with their sha256 (from the payload stage). */
  payloads: PayloadSnapshot[];
}

export const newSalt = (): string => randomBytes(16).toString('hex');

const fingerprint = (salt: string, data: string | Buffer): string => createHmac('sha256', Buffer.from(salt, 'hex')).update(data).digest('hex').slice(0, 32);

// Env names a rule's conditions read (`env: {TF_WORKSPACE: …}`), anywhere in its match tree.
const envNamesOf = (m: MatchSpec | undefined, out: Set<string>): void => {
  if (!m) return;
  for (const k of Object.keys(m.env ?? {})) out.add(k);
  for (const sub of m.any ?? []) envNamesOf(sub, out);
  envNamesOf(m.unless, out);
};

/** Names (a trailing `*` is a prefix) and files a ruleset says its tool reads: credentials and behaviour. */
export const boundNamesOf = (rulesets: readonly Ruleset[]): { env: string[]; files: string[] } => {
  const env = new Set<string>();
  const files = new Set<string>();
  for (const rs of rulesets) {
    for (const e of rs.credentials?.env ?? []) env.add(e);
    for (const f of rs.credentials?.files ?? []) files.add(f);
    // TF_CLI_ARGS_{command}: every variable of that family changes the argv the tool really runs.
    for (const a of rs.grammar.envArgs) env.add(a.var.includes('{') ? `${a.var.slice(0, a.var.indexOf('{'))}*` : a.var);
    for (const r of rs.rules) envNamesOf(r.match, env);
  }
  return { env: [...env].sort(), files: [...files].sort() };
};

/** The rulesets of every program in the verdict's commands. */
export const rulesetsFor = (index: RuleIndex, programs: readonly string[]): Ruleset[] => {
  const seen = new Set<number>();
  for (const p of programs) for (const i of index.byBinary[p] ?? []) seen.add(i);
  return [...seen].sort((a, b) => a - b).map((i) => index.rulesets[i]!);
};

const readSmallFile = (path: string): Buffer | 'absent' | 'not a regular file' => {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return 'absent';
  }
  try {
    const st = fstatSync(fd);
    // A FIFO or device is never read: it could block, or hand the tool different bytes than the gate.
    if (!st.isFile()) return 'not a regular file';
    const buf = Buffer.alloc(Math.min(st.size, MAX_FILE_BYTES));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return Buffer.concat([buf.subarray(0, got), Buffer.from(`\0size=${st.size}`)]);
  } catch {
    return 'absent';
  } finally {
    closeSync(fd);
  }
};

const expandHome = (path: string, home: string): string => (path === '~' ? home : path.startsWith('~/') ? `${home}${path.slice(1)}` : path);

/**
 * Why: one fingerprint per credential the tool will read, computed from the tool's own environment.
 * `~` is the HOME the tool will see (that is where it looks). A variable whose value names files
 * (KUBECONFIG, AWS_SHARED_CREDENTIALS_FILE, PGPASSFILE …) binds those files' contents too.
 */
export const fingerprintInputs = (
  names: { env: readonly string[]; files: readonly string[] },
  env: Record<string, string | undefined>,
  salt: string,
  payloads: readonly PayloadSnapshot[] = [],
): BoundInputs => {
  const credentials: Record<string, string> = {};
  const fileNames = new Set<string>();
  const home = env.HOME || homedir();
  const present = Object.keys(env).filter((k) => env[k] !== undefined).sort();
  for (const pattern of names.env) {
    const matches = pattern.endsWith('*') ? present.filter((k) => k.startsWith(pattern.slice(0, -1))) : [pattern];
    for (const name of matches) {
      const value = env[name];
      credentials[`env:${name}`] = value === undefined ? 'unset' : fingerprint(salt, value);
      // Only path lists (KUBECONFIG=/a:/b): a URL's parts must not become file names (they may hold a user or password).
      if (value && value.includes('/') && !value.includes('://')) {
        for (const part of value.split(':')) if (/^(\/|~\/)/.test(part) && !part.startsWith('//')) fileNames.add(expandHome(part, home));
      }
    }
  }
  for (const f of names.files) fileNames.add(expandHome(f, home));
  for (const path of [...fileNames].sort()) {
    const content = readSmallFile(path);
    credentials[`file:${path}`] = typeof content === 'string' ? content : fingerprint(salt, content);
  }
  return { salt, credentials, payloads: payloads.map((p) => ({ source: p.source, sha256: p.sha256 })) };
};

const label = (key: string): string => (key.startsWith('env:') ? key.slice(4) : key.slice(5));

/**
 * Why: "the approval does not apply" must say what changed, in one line, naming the variable or file —
 * never its value. `approved` is what the approval bound; `now` the same names fingerprinted with its salt.
 */
export const boundDifference = (approved: BoundInputs | undefined, now: BoundInputs): string | null => {
  if (!approved) return 'the approval binds no credentials (made by an older blastgate)';
  const keys = [...new Set([...Object.keys(approved.credentials), ...Object.keys(now.credentials)])].sort();
  const changed: string[] = [];
  for (const k of keys) {
    const a = approved.credentials[k];
    const b = now.credentials[k];
    if (a === b) continue;
    if (a === undefined || a === 'unset' || a === 'absent') changed.push(`${label(k)} is set now but was not when approved`);
    else if (b === undefined || b === 'unset' || b === 'absent') changed.push(`${label(k)} was set when approved but is not now`);
    else changed.push(`${label(k)} is not the one approved`);
  }
  const payloadKey = (p: PayloadSnapshot) => `${p.source}\0${p.sha256 ?? 'unreadable'}`;
  const before = new Set(approved.payloads.map(payloadKey));
  for (const p of now.payloads) {
    if (!before.has(payloadKey(p))) changed.push(`${p.source === 'stdin' ? 'the input on stdin' : p.source} is not the content approved`);
  }
  if (changed.length === 0 && approved.payloads.length !== now.payloads.length) changed.push('the payloads read are not the ones approved');
  if (changed.length === 0) return null;
  return changed.length > 2 ? `${changed.slice(0, 2).join('; ')} (and ${changed.length - 2} more)` : changed.join('; ');
};
