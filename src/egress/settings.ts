// What the egress gate may do, from the policy and the rulesets. Where traffic to a gated host really goes
// (`resolve`) and which upstream CAs the broker trusts (`ca`) decide where real credentials are sent, so
// only a trusted system layer (root-owned /etc/blastgate) may set them; any layer may make `default: deny`.
import { readFileSync } from 'node:fs';
import type { Policy } from '../config/policy.js';
import { ConfigError } from '../errors.js';
import type { RuleIndex } from '../rulesets/types.js';
import { nameMatches } from '../sandbox/credentials.js';

export interface EgressSettings {
  /** Hosts whose requests are opened and judged (credentials.hosts of every ruleset). */
  gated: Set<string>;
  /** Credential variable patterns → the hosts it may be sent to. */
  credentialHosts: Array<{ pattern: string; hosts: string[] }>;
  /** `deny`: only gated hosts and `allow` pass. */
  defaultDecision: 'allow' | 'deny';
  allow: string[];
  /** `host` or `host:port` → `ip:port` (split horizon, a test's stand-in server). */
  resolve: Record<string, string>;
  /** Extra CA certificates (PEM) the broker trusts upstream, beside the system's. */
  upstreamCa: string[];
  /** Allow lists that must each pass too (a strict profile's); they only ever tighten. */
  alsoAllow?: string[][];
}

/** A strict profile (`egress: { default: deny, allow }`) narrows what the policy lets out, never widens it. */
export const withProfile = (s: EgressSettings, profile: { default: 'allow' | 'deny'; allow: string[] }): EgressSettings =>
  profile.default === 'deny' ? { ...s, alsoAllow: [...(s.alsoAllow ?? []), profile.allow] } : s;

const hostMatches = (pattern: string, host: string): boolean =>
  pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) || host === pattern.slice(2) : pattern.toLowerCase() === host.toLowerCase();

export const isAllowed = (s: EgressSettings, host: string): boolean =>
  s.gated.has(host.toLowerCase()) ||
  ((s.defaultDecision === 'allow' || s.allow.some((p) => hostMatches(p, host))) && (s.alsoAllow ?? []).every((list) => list.some((p) => hostMatches(p, host))));

/** The hosts a credential variable may be sent to. */
export const hostsOf = (s: EgressSettings, name: string): string[] => s.credentialHosts.filter((c) => nameMatches(c.pattern, name)).flatMap((c) => c.hosts);

export const egressSettings = (policy: Policy, index: RuleIndex): EgressSettings => {
  const gated = new Set<string>();
  const credentialHosts: EgressSettings['credentialHosts'] = [];
  for (const set of index.rulesets) {
    const hosts = (set.credentials?.hosts ?? []).map((h) => h.toLowerCase());
    for (const h of hosts) gated.add(h);
    for (const pattern of set.credentials?.env ?? []) if (hosts.length) credentialHosts.push({ pattern, hosts });
  }
  const out: EgressSettings = { gated, credentialHosts, defaultDecision: 'allow', allow: [], resolve: {}, upstreamCa: [] };
  for (const layer of policy.layers) {
    const e = layer.data.egress;
    if (e === undefined || e === null) continue;
    if (typeof e !== 'object' || Array.isArray(e)) throw new ConfigError(`${layer.file}: egress: expected a mapping`);
    if (e.default !== undefined && e.default !== 'allow' && e.default !== 'deny') throw new ConfigError(`${layer.file}: egress.default: expected allow or deny`);
    if (e.default === 'deny') out.defaultDecision = 'deny';
    const trusted = layer.origin === 'system' && layer.canLoosen;
    if (!trusted) continue;
    if (e.allow !== undefined && !Array.isArray(e.allow)) throw new ConfigError(`${layer.file}: egress.allow: expected a list of hosts`);
    out.allow.push(...(e.allow ?? []).map(String));
    for (const [host, to] of Object.entries(e.resolve ?? {})) {
      if (typeof to !== 'string' || !/^[^\s:]+:\d+$/.test(to)) throw new ConfigError(`${layer.file}: egress.resolve.${host}: expected "address:port", got ${JSON.stringify(to)}`);
      out.resolve[host.toLowerCase()] = to;
    }
    for (const file of e.ca ?? []) {
      try {
        out.upstreamCa.push(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ConfigError(`${layer.file}: egress.ca: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
  }
  return out;
};

/** Where to connect for host:port, after the system policy's overrides. */
export const upstreamOf = (s: EgressSettings, host: string, port: number): { host: string; port: number } => {
  const to = s.resolve[`${host.toLowerCase()}:${port}`] ?? s.resolve[host.toLowerCase()];
  if (!to) return { host, port };
  const i = to.lastIndexOf(':');
  return { host: to.slice(0, i), port: Number(to.slice(i + 1)) };
};

const WEB_PORTS = new Set([80, 443]);

/** Addresses that are this machine or its cloud metadata service: never reached by a tunnel on its own. */
export const isLocalAddress = (addr: string): boolean =>
  /^(127\.|0\.0\.0\.0$|169\.254\.|::1$|::$|::ffff:127\.|::ffff:169\.254\.|fe80:)/i.test(addr) || addr.toLowerCase() === 'localhost';

export type Destination = { ok: true; host: string; port: number; checkAddress: boolean } | { ok: false; reason: string };

/**
 * Why: a tunnel is raw TCP. Untouched tunnels go to web ports only, never to this machine's loopback or
 * link-local (PostgreSQL on 127.0.0.1:5432, the cloud metadata service); anything else needs the system
 * policy (`egress.allow: [host:port]` or `egress.resolve`).
 */
export const destination = (s: EgressSettings, host: string, port: number): Destination => {
  const h = host.toLowerCase();
  const listed = (list: string[]) => list.some((p) => p.toLowerCase() === `${h}:${port}`);
  const pinned = listed(s.allow) && (s.alsoAllow ?? []).every(listed);
  if (!pinned && !isAllowed(s, h)) return { ok: false, reason: `${h} is not on this sandbox's egress allow list` };
  const overridden = s.resolve[`${h}:${port}`] ?? s.resolve[h];
  if (overridden) return { ok: true, ...upstreamOf(s, h, port), checkAddress: false };
  if (pinned) return { ok: true, host: h, port, checkAddress: false };
  if (!WEB_PORTS.has(port)) return { ok: false, reason: `port ${port} of ${h} is not a web port; non-HTTP destinations need an egress.allow entry "${h}:${port}" in the system policy` };
  if (isLocalAddress(h)) return { ok: false, reason: `${h} is this machine (loopback or link-local): not reachable from the sandbox` };
  return { ok: true, host: h, port, checkAddress: true };
};
