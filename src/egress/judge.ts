// One HTTP request seen on the wire → the same pipeline as a command: the request becomes the curl that
// would send it (src/inline/types.ts curlFor), guard() judges it, a confirmation becomes a pending request
// a human approves with `blastgate approve <id>`; the identical request (method, URL, body hash,
// credential identity) then passes once. Placeholders are checked against the host before anything else.
import { createHash } from 'node:crypto';
import type { Engine } from '../engine.js';
import { curlFor } from '../inline/types.js';
import { guard } from '../pipeline.js';
import type { EnvSecret } from '../sandbox/credentials.js';
import type { Verdict } from '../types.js';
import { hostsOf, type EgressSettings } from './settings.js';

export interface WireRequest {
  method: string;
  scheme: 'http' | 'https';
  /** As the client named it (Host / CONNECT target), lower case, no port. */
  host: string;
  port: number;
  /** Path and query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body after content decoding, or null when the client sent none. */
  body: Buffer | null;
}

export type WireVerdict =
  | { kind: 'forward'; headers: Record<string, string | string[]>; body: Buffer | null }
  | { kind: 'refuse'; status: number; json: Record<string, string> };

export interface JudgeDeps {
  engine: Engine;
  settings: EgressSettings;
  secrets: EnvSecret[];
  cwd: string;
}

const PLACEHOLDER = /bgph_[0-9a-f]{24}/g;

export const urlOf = (r: Pick<WireRequest, 'scheme' | 'host' | 'port' | 'path'>): string =>
  `${r.scheme}://${r.host}${r.port === (r.scheme === 'https' ? 443 : 80) ? '' : `:${r.port}`}${r.path}`;

const headerValues = (headers: WireRequest['headers']): string[] =>
  Object.values(headers).flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** Every placeholder in the request (URL, headers, body), each once. */
const placeholdersIn = (r: WireRequest): string[] => {
  const text = [r.path, ...headerValues(r.headers), r.body ? r.body.toString('latin1') : ''].join('\n');
  return [...new Set(text.match(PLACEHOLDER) ?? [])];
};

/**
 * Why: the credential a request carries is part of what a human approves. Known placeholders by name; any
 * other authorization value by its hash (never the value).
 */
const credentialIdentity = (r: WireRequest, found: EnvSecret[]): string[] => {
  const names = found.map((s) => s.name).sort();
  const auth = r.headers.authorization;
  if (names.length === 0 && typeof auth === 'string') return [`authorization sha256:${createHash('sha256').update(auth).digest('hex').slice(0, 16)}`];
  return names;
};

/** What the panel, the approval and the audit log show: method, URL, credential, body hash — never the body. */
export const displayArgv = (r: WireRequest, found: EnvSecret[]): string[] => {
  const argv = ['curl', '-X', r.method, urlOf(r)];
  for (const c of credentialIdentity(r, found)) argv.push('-H', `credential: ${c}`);
  if (r.body) argv.push('--data-raw', `<body sha256:${createHash('sha256').update(r.body).digest('hex')}, ${r.body.length} bytes>`);
  return argv;
};

const refuse = (status: number, error: string, extra: Record<string, string> = {}): WireVerdict => ({ kind: 'refuse', status, json: { error, ...extra } });

const swap = (text: string, secrets: EnvSecret[]): string => secrets.reduce((acc, s) => acc.split(s.placeholder).join(s.real), text);

/** The request with the placeholders of credentials that belong to this host replaced by the real values. */
const withRealCredentials = (r: WireRequest, mine: EnvSecret[]): { headers: Record<string, string | string[]>; body: Buffer | null } => {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.map((x) => swap(x, mine)) : swap(v, mine);
  const body = r.body && mine.length && r.body.includes('bgph_') ? Buffer.from(swap(r.body.toString('latin1'), mine), 'latin1') : r.body;
  return { headers, body };
};

const bodyText = (body: Buffer | null): string | null | undefined => {
  if (!body) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return undefined;
  }
};

const needsHuman = (v: Verdict, reason: string, text: string): Verdict =>
  v.decision !== 'allow' ? v : { ...v, decision: 'confirm', reason, unknowns: [...v.unknowns, { reason, text }] };

export const judgeRequest = async (r: WireRequest, deps: JudgeDeps): Promise<WireVerdict> => {
  const { engine, settings, secrets } = deps;
  const url = urlOf(r);
  const audit = async (argv: string[], decision: string, reason: string, verdict?: Verdict) => {
    const { appendAudit } = await import('../stages/audit.js');
    await appendAudit(engine, { kind: 'decision', argv, cwd: deps.cwd, decision, reason, ...(verdict ? { verdict } : {}) });
  };

  // Credentials: each placeholder may only go to the hosts its credential belongs to.
  const found: EnvSecret[] = [];
  for (const p of placeholdersIn(r)) {
    const secret = secrets.find((s) => s.placeholder === p);
    const ok = secret ? hostsOf(settings, secret.name).includes(r.host) : settings.gated.has(r.host);
    const shown = displayArgv(r, secret ? [secret] : []);
    if (!ok) {
      const what = secret ? `the placeholder of ${secret.name}` : 'a credential placeholder';
      await audit(shown, 'denied', `exfiltration attempt: ${what} sent to ${r.host}`);
      return refuse(403, `blastgate: refused: ${what} may not be sent to ${r.host} (exfiltration attempt)`);
    }
    if (secret) found.push(secret);
  }
  const shown = displayArgv(r, found);
  if (!settings.gated.has(r.host)) return { kind: 'forward', ...withRealCredentials(r, []) };

  const text = bodyText(r.body);
  const contentType = r.headers['content-type'];
  const argv = curlFor(r.method, url, text ?? null, typeof contentType === 'string' ? { 'Content-Type': contentType } : {});
  let verdict = await guard({ kind: 'argv', argv }, { env: engine.env, cwd: deps.cwd, actor: engine.actor, index: engine.index, policy: engine.policy });
  if (text === undefined) verdict = needsHuman(verdict, 'the request body is not text (binary or an unknown encoding); it cannot be judged', `${r.body?.length} bytes`);

  if (verdict.decision === 'allow') {
    await audit(shown, 'allow', `egress to ${r.host}`, verdict);
    return { kind: 'forward', ...withRealCredentials(r, found) };
  }
  if (verdict.decision === 'deny') {
    await audit(shown, 'denied', verdict.reason, verdict);
    return refuse(403, `blastgate: denied by policy: ${verdict.reason}`);
  }
  const { confirm } = await import('../stages/confirm.js');
  // Never wait on the wire: the client gets the request id at once and repeats the request after approval.
  const noWait = { ...engine, env: { ...engine.env, BLASTGATE_APPROVAL_WAIT: '0' } };
  const answer = await confirm({ verdict, argv: shown, cwd: deps.cwd, engine: noWait, stderr: () => undefined, stderrIsTTY: false });
  if (answer.approved) return { kind: 'forward', ...withRealCredentials(r, found) };
  if (answer.outcome === 'pending' && answer.approvalId) {
    return refuse(403, "blastgate: needs a human's approval", { request: answer.approvalId, approve: `blastgate approve ${answer.approvalId}` });
  }
  return refuse(403, `blastgate: ${answer.reason}`);
};
