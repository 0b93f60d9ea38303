// Blast radius of a Railway command — the CLI (`railway volume delete …`) or its API (`curl … backboard.railway.com`,
// `railway api`): project, environment, service, volume, and how far the credential reaches.
import { resolve } from 'node:path';
import { RAILWAY_MUTATIONS } from '../analyzers/graphql-mutations.js';
import { indexGrammar, readArgs } from '../match/read-args.js';
import type { FieldValue, Invocation, Match, Target } from '../types.js';
import { linkedProjectFor, railwayBackboard, readRailwayConfig, type LinkedProject, type RailwayConfig } from './railway-config.js';
import { cliCredential, requestCredential, type Credential } from './railway-credential.js';
import { RAILWAY_GRAMMAR } from './railway-grammar.js';
import { lookupRailwayNames, type LookupAuth, type LookupIds, type LookupNames } from './railway-lookup.js';
import type { ResolveContext, Resolver } from './types.js';

/** The Target shape both the CLI and the API paths return; production is left to the decide stage's patterns. */
const railwayTarget = (t: { name?: string; fields: Target['fields']; credential?: Target['credential']; backups: Target['backups']; notes: string[]; unresolved: string[] }): Target => ({
  kind: 'railway',
  ...(t.name ? { name: t.name } : {}),
  production: 'unknown',
  fields: t.fields,
  ...(t.credential ? { credential: t.credential } : {}),
  backups: t.backups,
  ...(t.notes.length ? { notes: t.notes } : {}),
  ...(t.unresolved.length ? { unresolved: t.unresolved } : {}),
});

type Env = Record<string, string | undefined>;
const grammar = indexGrammar(RAILWAY_GRAMMAR);

/** One destructive API call as the GraphQL analyzer described it (finding details). */
type ApiCall = Record<string, unknown> & { mutation: string };

const apiCallsOf = (matches: Match[]): ApiCall[] => {
  const calls: ApiCall[] = [];
  for (const m of matches) {
    const d = m.details;
    if (!d) continue;
    const list = Array.isArray(d.mutations) ? (d.mutations as ApiCall[]) : typeof d.mutation === 'string' ? [d as ApiCall] : [];
    for (const c of list) if (!calls.some((x) => JSON.stringify(x) === JSON.stringify(c))) calls.push(c);
  }
  return calls;
};

const first = (calls: ApiCall[], key: string): string | undefined => {
  for (const c of calls) if (typeof c[key] === 'string') return c[key] as string;
  return undefined;
};

/** A name when this directory's link knows the id, else the id itself. */
const label = (id: string | undefined, knownId: string | undefined, knownName: string | undefined): string | undefined =>
  id === undefined ? undefined : id === knownId && knownName ? knownName : id;

const backupsOf = (matches: Match[], calls: ApiCall[]): Target['backups'] =>
  matches.some((m) => m.blast?.backups) || calls.some((c) => c.backups === true) ? 'deleted' : 'unknown';

const fieldsOf = (facts: Record<string, string | undefined>): Record<string, FieldValue> =>
  Object.fromEntries(Object.entries(facts).filter((e): e is [string, string] => e[1] !== undefined));

// ---------- the CLI ----------

const flag = (read: ReturnType<typeof readArgs>, name: string): string | undefined => {
  const v = read.flags.get(name);
  const last = v?.[v.length - 1];
  return last === undefined || last === 'true' ? undefined : last;
};

const cliTarget = (inv: Invocation, matches: Match[], env: Env, cwd: string, config: RailwayConfig | null, linked: LinkedProject | undefined): Target => {
  const read = readArgs(inv.argv.slice(1), grammar, false);
  const [cmd, sub] = read.positionals;
  const notes: string[] = [];
  const unresolved: string[] = [];
  // `domain -p` is --port, `unlink -s` a switch: only the long spellings mean project/service there.
  const projectFlag = cmd === 'domain' ? (inv.argv.some((w) => w.startsWith('--project')) ? flag(read, '--project') : undefined) : flag(read, '--project');
  const serviceFlag = cmd === 'unlink' ? undefined : flag(read, '--service');
  let environmentFlag = flag(read, '--environment');
  if ((cmd === 'environment' || cmd === 'env') && ['delete', 'rm', 'remove'].includes(sub ?? '')) environmentFlag = read.positionals[2] ?? environmentFlag;
  const volumeFlag = cmd === 'volume' || cmd === 'volumes' ? flag(read, '--volume') : undefined;

  let project: string | undefined;
  let environment: string | undefined;
  let service: string | undefined;
  const byToken = !!env.RAILWAY_TOKEN;
  if (byToken) {
    // The token fixes project and environment (not known locally); the link only adds the service (config.rs get_linked_project).
    service = config?.projects[resolve(cwd)]?.service;
  } else if (env.RAILWAY_PROJECT_ID) {
    const same = linked && linked.project === env.RAILWAY_PROJECT_ID ? linked : undefined;
    project = label(env.RAILWAY_PROJECT_ID, same?.project, same?.name);
    environment = env.RAILWAY_ENVIRONMENT_ID ?? label(same?.environment, same?.environment, same?.environmentName);
    service = env.RAILWAY_SERVICE_ID ?? same?.service;
  } else if (linked) {
    project = linked.name ?? linked.project;
    environment = linked.environmentName ?? linked.environment;
    service = linked.service;
  }
  project = projectFlag ?? project;
  environment = environmentFlag ?? environment;
  service = serviceFlag ?? service;
  if (!project && !byToken) unresolved.push('project');
  if (!environment && !byToken) unresolved.push('environment');
  if (!projectFlag && !byToken && !env.RAILWAY_PROJECT_ID && !linked) notes.push('No project is linked to this directory and no -p/--project was given; the CLI may pick one or fail.');

  // What a human types to confirm: a real name or id only (the CLI asks which volume when -v is missing).
  const has = (id: string) => matches.some((m) => m.rule === id);
  const name = has('railway:project-delete') ? project : has('railway:volume-delete') ? volumeFlag : environment ?? project;
  const facts = {
    project: project ?? (byToken ? 'the project RAILWAY_TOKEN belongs to' : undefined),
    environment: environment ?? (byToken ? 'the environment RAILWAY_TOKEN belongs to' : undefined),
    service,
    volume: volumeFlag,
  };
  const credential = cliCredential(env, config);
  if (!credential) notes.push('No Railway credential found (RAILWAY_TOKEN, RAILWAY_API_TOKEN or a login session); the command will likely fail.');
  return railwayTarget({ name, fields: fieldsOf(facts), credential, backups: backupsOf(matches, []), notes, unresolved });
};

// ---------- the API (curl, wget, httpie/xh, `railway api`) ----------

const NAME_BY_KIND: Array<[string, string]> = [
  ['volumeDelete', 'volumeId'],
  ['projectDelete', 'projectId'],
  ['projectScheduleDelete', 'projectId'],
  ['projectScheduleDeleteForce', 'projectId'],
  ['workspaceDelete', 'workspaceId'],
  ['environmentDelete', 'environmentId'],
  ['volumeInstanceBackupDelete', 'backupId'],
  ['serviceDelete', 'serviceId'],
];

const apiTarget = (inv: Invocation, matches: Match[], calls: ApiCall[], credential: Credential | undefined, linked: LinkedProject | undefined, extraNotes: string[]): Target => {
  const ids = {
    volume: first(calls, 'volumeId'),
    project: first(calls, 'projectId'),
    environment: first(calls, 'environmentId'),
    service: first(calls, 'serviceId'),
    workspace: first(calls, 'workspaceId'),
    backup: first(calls, 'backupId'),
  };
  const facts: Record<string, string | undefined> = {
    request: [...new Set(calls.map((c) => c.mutation))].join(', ') || undefined,
    volume: ids.volume,
    project: label(ids.project, linked?.project, linked?.name),
    environment: label(ids.environment, linked?.environment, linked?.environmentName),
    service: ids.service,
    workspace: ids.workspace,
    backup: ids.backup,
  };
  let name: string | undefined;
  for (const [mutation, key] of NAME_BY_KIND) {
    const call = calls.find((c) => c.mutation === mutation && typeof c[key] === 'string');
    if (call) {
      const id = call[key] as string;
      name = key === 'projectId' ? label(id, linked?.project, linked?.name) : key === 'environmentId' ? label(id, linked?.environment, linked?.environmentName) : id;
      break;
    }
  }
  name ??= facts.environment ?? facts.project ?? facts.volume ?? facts.service;
  const notes = [...extraNotes];
  const tiedToLink = !!linked && (ids.environment === linked.environment || ids.project === linked.project);
  if (linked && !tiedToLink) {
    const where = [linked.name ?? linked.project, linked.environmentName ?? linked.environment].filter(Boolean).join(' / ');
    notes.push(`This directory is linked to ${where}, but the request names ids directly: they can be in any project the token reaches.`);
  }
  const unresolved = ['project', 'environment'].filter((k) => facts[k] === undefined);
  return railwayTarget({ name, fields: fieldsOf(facts), credential, backups: backupsOf(matches, calls), notes, unresolved });
};

// ---------- optional network lookup ----------

/** The token the command would send, when its value is in the environment (never printed). */
const lookupAuth = (inv: Invocation, env: Env, viaCli: boolean): LookupAuth | undefined => {
  if (viaCli) {
    if (env.RAILWAY_TOKEN) return { header: 'project-access-token', value: env.RAILWAY_TOKEN };
    if (env.RAILWAY_API_TOKEN) return { header: 'authorization', value: `Bearer ${env.RAILWAY_API_TOKEN}` };
    return undefined;
  }
  for (const w of inv.argv) {
    const m = /(authorization\s*:\s*bearer\s+|project-access-token\s*:\s*)\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?\s*$/i.exec(w);
    const value = m ? env[m[2]!] : undefined;
    if (m && value) return /^authorization/i.test(m[1]!) ? { header: 'authorization', value: `Bearer ${value}` } : { header: 'project-access-token', value };
  }
  return undefined;
};

const applyNames = (target: Target, names: LookupNames, ids: LookupIds): Target => {
  const fields = { ...target.fields };
  const named = (key: string, id: string | undefined, value: string | undefined) => {
    if (id && value && fields[key] === id) fields[key] = `${value} (${id})`;
  };
  named('project', ids.projectId, names.project);
  named('environment', ids.environmentId, names.environment);
  named('service', ids.serviceId, names.service);
  if (names.volume && ids.volumeId) {
    fields.volume = `${names.volume} (${ids.volumeId})`;
    if (names.volumeEnvironments?.length) fields['volume environments'] = names.volumeEnvironments;
    if (names.volumeProject && !fields.project) fields.project = names.volumeProject;
  }
  const unresolved = (target.unresolved ?? []).filter((k) => fields[k] === undefined);
  const { unresolved: _drop, ...rest } = target;
  return { ...rest, fields, ...(unresolved.length ? { unresolved } : {}) };
};

const withLookup = async (target: Target, inv: Invocation, calls: ApiCall[], linked: LinkedProject | undefined, ctx: ResolveContext, viaCli: boolean): Promise<Target> => {
  if (!ctx.network) return target;
  const auth = lookupAuth(inv, ctx.env, viaCli);
  if (!auth) return target;
  const ids: LookupIds = {
    ...(first(calls, 'projectId') ? { projectId: first(calls, 'projectId') } : {}),
    ...(first(calls, 'environmentId') ? { environmentId: first(calls, 'environmentId') } : {}),
    ...(first(calls, 'serviceId') ? { serviceId: first(calls, 'serviceId') } : {}),
    ...(first(calls, 'volumeId') ? { volumeId: first(calls, 'volumeId') } : {}),
    ...(linked ? { volumeProjectId: linked.project } : {}),
  };
  const names = await lookupRailwayNames(ids, auth, { endpoint: railwayBackboard(ctx.env), timeoutMs: Math.min(ctx.timeoutMs, 2000), signal: ctx.signal });
  return applyNames(target, names, ids);
};

/** Is this match about Railway (its rules, or a mutation from Railway's schema sent to a run-time URL)? */
const isRailway = (matches: Match[], calls: ApiCall[]): boolean =>
  matches.some((m) => m.tool === 'railway' || m.rule.includes(':railway-')) || calls.some((c) => Object.hasOwn(RAILWAY_MUTATIONS, c.mutation));

/** Resolver for the railway CLI and for HTTP clients speaking to Railway's GraphQL API. */
export const resolveRailway: Resolver = async (inv, matches, ctx) => {
  const calls = apiCallsOf(matches);
  if (!isRailway(matches, calls)) return undefined;
  const config = readRailwayConfig(ctx.env);
  const linked = config ? linkedProjectFor(config, ctx.cwd) : undefined;
  const viaCli = matches.some((m) => m.tool === 'railway');
  // `railway api` is not scoped to the linked project: it is judged like any other API request.
  const viaApi = calls.length > 0 || matches.some((m) => m.rule.startsWith('railway:api-'));
  if (viaCli && !viaApi) return cliTarget(inv, matches, ctx.env, ctx.cwd, config, linked);
  const { credential, notes } = viaCli ? { credential: cliCredential(ctx.env, config), notes: [] } : requestCredential(inv.argv, ctx.env);
  return withLookup(apiTarget(inv, matches, calls, credential, linked, notes), inv, calls, linked, ctx, viaCli);
};
