// Evaluate a rule's match spec against one reading of an invocation.
import type { Finding } from '../types.js';
import type { MatchSpec } from '../rulesets/types.js';
import { isFalsy, type ReadArgs } from './read-args.js';
import { anyWordAtRunTime, wholeWordExpansion, withoutExpansions } from './expansions.js';
import { compileRegex } from './regex.js';

export interface Subject {
  read: ReadArgs;
  /** The invocation's effective environment (caller's env + command-line assignments). */
  env: Record<string, string | undefined>;
  /** Positional words whose value is only known at run time: they match any word or pattern. */
  dynamic: Set<number>;
  /** The directory the command runs in (relative path operands start here). */
  cwd: string;
  /** Platform API hosts (every ruleset's credentials.hosts), for `apiHost`. */
  apiHosts?: readonly string[];
  /** Findings of a payload analyzer, computed on first use. */
  findings: (analyzer: string) => Promise<Finding[]>;
}

export interface Hit {
  findings: Finding[];
  dynamic: boolean;
}

const regexCache = new Map<string, RegExp>();
const re = (source: string): RegExp => {
  let r = regexCache.get(source);
  if (!r) regexCache.set(source, (r = compileRegex(source)));
  return r;
};

/** The API host a URL word names (`https://api.github.com/repos/x`, `api.github.com/x`), or null. */
export const apiHostOf = (word: string, hosts: readonly string[]): string | null => {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?([^/:?#\[\]]+)/i.exec(word.trim());
  const host = m?.[1]?.toLowerCase().replace(/\.$/, '');
  if (!host) return null;
  return hosts.find((h) => host === h || host.endsWith(`.${h}`)) ?? null;
};

/** Stands for arguments appended at run time (`xargs`): could be any word at all. */
export const ANY_WORD = '$XARGS_INPUT';

export { withoutExpansions };

const flagHolds = (values: string[] | undefined, want: boolean | string): boolean => {
  if (want === false) return !values || values.every(isFalsy);
  if (want === true) return !!values && values.some((v) => !isFalsy(v));
  return !!values && values.some((v) => re(want).test(v));
};

const envHolds = (value: string | undefined, want: boolean | string): boolean => {
  if (want === false) return value === undefined || value === '';
  if (want === true) return value !== undefined && value !== '';
  return value !== undefined && re(want).test(value);
};

/**
 * Returns the hit (with analyzer findings that made it) or null. Run-time-only words match anything
 * (`wildcards`), except inside `unless`: an unknown word must never veto a rule.
 */
export const evaluate = async (spec: MatchSpec, s: Subject, wildcards = true): Promise<Hit | null> => {
  let dynamic = false;
  const isDynamic = (p: number) => wildcards && s.dynamic.has(s.read.positionalIndex[p]!);
  const pos = s.read.positionals;
  let rest = 0;
  if (spec.command) {
    if (pos.length < spec.command.length) return null;
    for (const [i, want] of spec.command.entries()) {
      const word = pos[i]!;
      if (want === '*') continue;
      const ok = typeof want === 'string' ? word === want : want.includes(word);
      if (!ok) {
        if (!isDynamic(i)) return null;
        dynamic = true;
      }
    }
    rest = spec.command.length;
  }
  for (const [flag, want] of Object.entries(spec.flags ?? {})) {
    if (!flagHolds(s.read.flags.get(flag), want)) return null;
  }
  for (const [name, want] of Object.entries(spec.env ?? {})) {
    if (!envHolds(s.env[name], want)) return null;
  }
  const after = pos.slice(rest).map((w, k) => ({ w, dyn: isDynamic(rest + k) }));
  // A run-time word is tested as written and as it reads when its variables are empty (the classic
  // `rm -rf "$DIR/"` with DIR unset); either reading matching counts. A command's output
  // (`$(kubectl get ns …)`) or `$@` could be any word: it matches every pattern.
  const test = (r: RegExp, a: { w: string; dyn: boolean }) =>
    r.test(a.w) || (a.dyn && (a.w === ANY_WORD || anyWordAtRunTime(a.w) || r.test(withoutExpansions(a.w))));
  if (spec.args) {
    const r = re(spec.args);
    const hitWord = after.find((a) => test(r, a));
    if (!hitWord) return null;
    if (!r.test(hitWord.w)) dynamic = true;
  }
  if (spec.allArgs) {
    const r = re(spec.allArgs);
    if (after.length === 0 || !after.every((a) => test(r, a))) return null;
    if (!after.every((a) => r.test(a.w))) dynamic = true;
  }
  // The word at a named place (a destination) that is nothing but an expansion could be anything there.
  for (const [at, pattern] of Object.entries(spec.argAt ?? {})) {
    const a = after[Number(at)];
    if (!a || !(test(re(pattern), a) || (a.dyn && wholeWordExpansion(a.w)))) return null;
    if (!re(pattern).test(a.w)) dynamic = true;
  }
  let findings: Finding[] = [];
  if (spec.apiHost) {
    const hit = after.find((a) => a.dyn || apiHostOf(a.w, s.apiHosts ?? []) !== null);
    if (!hit) return null;
    const host = apiHostOf(hit.w, s.apiHosts ?? []);
    if (!host) dynamic = true;
    findings.push({ kind: 'api-host', detail: host ?? `a URL only known at run time (${hit.w})`, details: { host: host ?? hit.w } });
  }
  if (spec.protectedPath) {
    const { protectedHit, protectedSet } = await import('./protected-paths.js');
    const why = protectedHit(after.map((a) => ({ word: a.w, dynamic: a.dyn })), protectedSet(s.env, s.cwd), s.cwd);
    if (!why) return null;
    findings.push({ kind: 'protected-path', detail: why, details: { paths: [why] } });
  }
  if (spec.payload) {
    const kinds = spec.payload.kinds;
    const found = (await s.findings(spec.payload.analyzer)).filter((f) => kinds.includes(f.kind));
    if (found.length === 0) return null;
    findings = [...findings, ...found];
  }
  if (spec.any) {
    let hit: Hit | null = null;
    for (const sub of spec.any) if ((hit = await evaluate(sub, s, wildcards))) break;
    if (!hit) return null;
    findings = [...findings, ...hit.findings];
    dynamic ||= hit.dynamic;
  }
  if (spec.unless && (await evaluate(spec.unless, s, false))) return null;
  return { findings, dynamic };
};
