// The Railway resolver: linked project from a real-format ~/.railway/config.json, env overrides and flags,
// the API path's ids, credential scope (never token values), and the network lookup's gate.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRulesetFile } from '../../src/rulesets/load.js';
import { buildIndex } from '../../src/rulesets/compile.js';
import { RAILWAY_GRAMMAR } from '../../src/resolvers/railway-grammar.js';
import { resolveRailway } from '../../src/resolvers/railway.js';
import { lookupRailwayNames } from '../../src/resolvers/railway-lookup.js';
import { matchInvocation } from '../../src/stages/match.js';
import { parseLine } from '../../src/stages/parse.js';
import { unwrap } from '../../src/stages/unwrap.js';
import type { Target } from '../../src/types.js';

const rulesetDir = join(import.meta.dirname, '..', '..', 'rulesets');
const index = buildIndex(['railway', 'curl', 'wget', 'httpie'].map((t) => loadRulesetFile(join(rulesetDir, `${t}.yaml`), 'builtin')));

const SECRETS = ['oauth-secret-abc', 'legacy-secret-xyz', 'rw_api_secret_123', 'literal-token-999'];

/** A HOME with a config.json in the CLI's own format, and a linked project directory with a subdirectory. */
const fixture = (file = 'config.json') => {
  const root = mkdtempSync(join(tmpdir(), 'bg-railway-'));
  const home = join(root, 'home');
  const shop = join(root, 'code', 'shop');
  mkdirSync(join(home, '.railway'), { recursive: true });
  mkdirSync(join(shop, 'web', 'src'), { recursive: true });
  const config = {
    projects: {
      [shop]: { projectPath: shop, name: 'shop', project: 'p-shop', environment: 'e-staging', environmentName: 'staging', service: 's-web' },
      [join(root, 'code', 'other')]: { projectPath: join(root, 'code', 'other'), name: 'other', project: 'p-other', environment: 'e-prod', environmentName: 'production' },
    },
    user: { token: SECRETS[1], accessToken: SECRETS[0], refreshToken: 'r', tokenExpiresAt: 1760000000 },
    linkedFunctions: [],
    editor: null,
  };
  writeFileSync(join(home, '.railway', file), JSON.stringify(config, null, 2));
  return { root, home, shop, cwd: join(shop, 'web', 'src') };
};

const resolveLine = async (line: string, opts: { env: Record<string, string | undefined>; cwd: string; network?: boolean }): Promise<Target | undefined> => {
  const parsed = await parseLine(line);
  // The gated command is the last one (`$(…)` in an argument parses as a command of its own, run first).
  const { invocations } = await unwrap(parsed.commands[parsed.commands.length - 1]!, { packages: index.packages });
  const inv = invocations[0]!;
  const { matches } = await matchInvocation(inv, 0, { index, env: opts.env, cwd: opts.cwd });
  expect(matches.length, `no rule matched: ${line}`).toBeGreaterThan(0);
  return resolveRailway(inv, matches, { env: { ...opts.env, ...inv.env }, cwd: opts.cwd, timeoutMs: 2000, network: opts.network ?? false, signal: new AbortController().signal });
};

const noSecrets = (t: Target | undefined) => {
  const text = JSON.stringify(t);
  for (const s of SECRETS) expect(text).not.toContain(s);
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the railway CLI', () => {
  it('names the linked project, environment and service from a subdirectory, with the session credential', async () => {
    const f = fixture();
    const t = await resolveLine('railway volume delete --volume pgdata --yes', { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({
      kind: 'railway',
      name: 'pgdata',
      fields: { project: 'shop', environment: 'staging', service: 's-web', volume: 'pgdata' },
      backups: 'deleted',
      credential: { scope: expect.stringMatching(/^account-wide/) },
    });
    expect(t!.credential!.name).toContain('railway login session');
    noSecrets(t);
  });

  it('-e/--environment and -s override the link; the environment is the name to confirm', async () => {
    const f = fixture();
    const t = await resolveLine('railway service delete -s api --environment production -y', { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'production', fields: { project: 'shop', environment: 'production', service: 'api' }, backups: 'unknown' });
  });

  it('volume -e before the subcommand (clap level flags) and combined short flags', async () => {
    const f = fixture();
    const t = await resolveLine('railway volumes -e production rm -yv pgdata', { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'pgdata', fields: { environment: 'production', volume: 'pgdata' } });
  });

  it('environment delete: the positional is the environment', async () => {
    const f = fixture();
    const t = await resolveLine('railway environment delete production --yes', { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'production', fields: { project: 'shop', environment: 'production' }, backups: 'deleted' });
  });

  it('project delete: the project is the name to confirm', async () => {
    const f = fixture();
    expect(await resolveLine('railway delete -y', { env: { HOME: f.home }, cwd: f.cwd })).toMatchObject({ name: 'shop' });
    expect(await resolveLine('railway delete --project old-shop -y', { env: { HOME: f.home }, cwd: f.cwd })).toMatchObject({ name: 'old-shop' });
  });

  it('RAILWAY_TOKEN: a project token; project and environment come from the token, not the link', async () => {
    const f = fixture();
    const t = await resolveLine('railway down -y', { env: { HOME: f.home, RAILWAY_TOKEN: SECRETS[2] }, cwd: f.cwd });
    expect(t!.credential).toEqual({ name: 'RAILWAY_TOKEN', scope: 'project token: one environment of one project' });
    expect(t!.fields.environment).toBe('the environment RAILWAY_TOKEN belongs to');
    expect(t!.fields.service).toBeUndefined(); // the link at exactly cwd has no entry (cwd is a subdirectory)
    noSecrets(t);
  });

  it('RAILWAY_API_TOKEN: account-wide', async () => {
    const f = fixture();
    const t = await resolveLine('railway variable delete API_KEY', { env: { HOME: f.home, RAILWAY_API_TOKEN: SECRETS[2] }, cwd: f.cwd });
    expect(t!.credential).toEqual({ name: 'RAILWAY_API_TOKEN', scope: expect.stringMatching(/^account-wide: this token can delete anything in the account/) });
    noSecrets(t);
  });

  it('RAILWAY_PROJECT_ID / RAILWAY_ENVIRONMENT_ID / RAILWAY_SERVICE_ID; the link adds names only for the same project', async () => {
    const f = fixture();
    const same = await resolveLine('railway down -y', { env: { HOME: f.home, RAILWAY_PROJECT_ID: 'p-shop', RAILWAY_ENVIRONMENT_ID: 'e-9', RAILWAY_SERVICE_ID: 's-9' }, cwd: f.cwd });
    expect(same!.fields).toMatchObject({ project: 'shop', environment: 'e-9', service: 's-9' });
    const other = await resolveLine('railway down -y', { env: { HOME: f.home, RAILWAY_PROJECT_ID: 'p-x' }, cwd: f.cwd });
    expect(other!.fields).toEqual({ project: 'p-x' });
    expect(other!.unresolved).toContain('environment');
  });

  it('RAILWAY_ENV=staging reads config-staging.json', async () => {
    const f = fixture('config-staging.json');
    const prod = await resolveLine('railway down -y', { env: { HOME: f.home }, cwd: f.cwd });
    expect(prod!.unresolved).toEqual(['project', 'environment']);
    const staging = await resolveLine('railway down -y', { env: { HOME: f.home, RAILWAY_ENV: 'staging' }, cwd: f.cwd });
    expect(staging!.fields.project).toBe('shop');
  });

  it('nothing linked and no credentials: says so instead of guessing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'bg-railway-empty-'));
    const t = await resolveLine('railway volume delete -v data -y', { env: { HOME: home }, cwd: home });
    expect(t!.credential).toBeUndefined();
    expect(t!.unresolved).toEqual(['project', 'environment']);
    expect(t!.notes!.join(' ')).toMatch(/No Railway credential/);
  });

  it('a corrupt config.json is treated as no config', async () => {
    const f = fixture();
    writeFileSync(join(f.home, '.railway', 'config.json'), '{ not json');
    expect((await resolveLine('railway down -y', { env: { HOME: f.home }, cwd: f.cwd }))!.unresolved).toEqual(['project', 'environment']);
  });

  it('the resolver reads flags with the same grammar as rulesets/railway.yaml', () => {
    const set = loadRulesetFile(join(rulesetDir, 'railway.yaml'), 'builtin');
    expect(RAILWAY_GRAMMAR.valueFlags).toEqual(set.grammar.valueFlags);
    expect(RAILWAY_GRAMMAR.aliases).toEqual(set.grammar.aliases);
  });
});

describe('the GraphQL API', () => {
  const INCIDENT = `curl -X POST https://backboard.railway.app/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeDelete(volumeId: \\"vol_123\\") }"}'`;

  it('the incident: the volume id is the target, backups go, the token is account-wide, the link is not the target', async () => {
    const f = fixture();
    const t = await resolveLine(INCIDENT, { env: { HOME: f.home, RAILWAY_API_TOKEN: SECRETS[2] }, cwd: f.cwd });
    expect(t).toMatchObject({
      kind: 'railway',
      name: 'vol_123',
      production: 'unknown',
      fields: { request: 'volumeDelete', volume: 'vol_123' },
      backups: 'deleted',
      credential: { name: 'RAILWAY_API_TOKEN (sent as a Bearer token)', scope: expect.stringMatching(/^account-wide/) },
    });
    expect(t!.fields.environment).toBeUndefined(); // "staging" from the link would be a lie here
    expect(t!.unresolved).toEqual(['project', 'environment']);
    expect(t!.notes!.join(' ')).toContain('linked to shop / staging, but the request names ids directly');
    noSecrets(t);
  });

  it('an id the link knows is shown by name', async () => {
    const f = fixture();
    const t = await resolveLine(`curl https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $T" -d '{"query":"mutation { environmentDelete(id: \\"e-staging\\") }"}'`, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'staging', fields: { environment: 'staging' } });
    expect(t!.notes ?? []).toEqual([]);
  });

  it.each([
    [`-H "Project-Access-Token: $RAILWAY_TOKEN"`, 'RAILWAY_TOKEN (Project-Access-Token)', /^project token/],
    [`-H "Authorization: Bearer $RAILWAY_TOKEN"`, 'RAILWAY_TOKEN (sent as a Bearer token)', /^account-wide/],
    [`-H 'Authorization: Bearer ${SECRETS[3]}'`, 'a token written into the command line (sent as a Bearer token)', /^account-wide/],
    [`-sSH "authorization: bearer \${API_TOKEN}"`, 'API_TOKEN (sent as a Bearer token)', /^account-wide/],
    [`--oauth2-bearer "$(railway-token)"`, 'a token computed when the command runs (sent as a Bearer token)', /^account-wide/],
    [`--heade "Authorization: Bearer $RAILWAY_API_TOKEN"`, 'RAILWAY_API_TOKEN (sent as a Bearer token)', /^account-wide/],
    ['', 'not visible', /^unknown: no Authorization header/],
  ])('curl %s → %s', async (auth, name, scope) => {
    const f = fixture();
    const t = await resolveLine(`curl ${auth} https://backboard.railway.com/graphql/v2 -d '{"query":"mutation { serviceDelete(id: \\"s\\") }"}'`, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t!.credential!.name).toBe(name);
    expect(t!.credential!.scope).toMatch(scope);
    noSecrets(t);
  });

  it('RAILWAY_TOKEN sent as a Bearer token gets a note: Railway reads it as an account token', async () => {
    const f = fixture();
    const t = await resolveLine(`curl -H "Authorization: Bearer $RAILWAY_TOKEN" https://backboard.railway.com/graphql/v2 -d '{"query":"mutation { serviceDelete(id: \\"s\\") }"}'`, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t!.notes!.join(' ')).toContain('not a project token');
  });

  it.each([
    [`wget -qO- --header="Authorization: Bearer $RAILWAY_API_TOKEN" --post-data='{"query":"mutation { volumeDelete(volumeId: \\"v1\\") }"}' https://backboard.railway.com/graphql/v2`],
    [`http POST https://backboard.railway.com/graphql/v2 "Authorization:Bearer $RAILWAY_API_TOKEN" query='mutation { volumeDelete(volumeId: "v1") }'`],
    [`http -A bearer -a "$RAILWAY_API_TOKEN" POST https://backboard.railway.com/graphql/v2 query='mutation { volumeDelete(volumeId: "v1") }'`],
    [`xh post https://backboard.railway.com/graphql/v2 --bearer "$RAILWAY_API_TOKEN" query='mutation { volumeDelete(volumeId: "v1") }'`],
  ])('%s', async (line) => {
    const f = fixture();
    const t = await resolveLine(line, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'v1', backups: 'deleted', credential: { name: 'RAILWAY_API_TOKEN (sent as a Bearer token)' } });
  });

  it('railway api uses the CLI credential order', async () => {
    const f = fixture();
    const t = await resolveLine(`railway api 'mutation { volumeDelete(volumeId: "vol_a") }'`, { env: { HOME: f.home, RAILWAY_API_TOKEN: SECRETS[2] }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'vol_a', backups: 'deleted', credential: { name: 'RAILWAY_API_TOKEN' } });
  });

  it('a destructive mutation to another API has no Railway target', async () => {
    const f = fixture();
    const t = await resolveLine(`curl https://shop.myshopify.com/admin/api/2025-01/graphql.json -d '{"query":"mutation { productDelete(input: {id: \\"p\\"}) { deletedProductId } }"}'`, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toBeUndefined();
  });

  it('a Railway mutation sent to a run-time URL is still resolved as Railway', async () => {
    const f = fixture();
    const t = await resolveLine(`curl "$RAILWAY_API" -H "Authorization: Bearer $RAILWAY_API_TOKEN" -d '{"query":"mutation { volumeDelete(volumeId: \\"vol_x\\") }"}'`, { env: { HOME: f.home }, cwd: f.cwd });
    expect(t).toMatchObject({ name: 'vol_x', backups: 'deleted' });
  });
});

describe('network lookup (resolve.network)', () => {
  const LINE = `curl https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -d '{"query":"mutation { volumeDelete(volumeId: \\"vol_123\\") }"}'`;

  it('is not attempted when network is off', async () => {
    const f = fixture();
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    await resolveLine(LINE, { env: { HOME: f.home, RAILWAY_API_TOKEN: SECRETS[2] }, cwd: f.cwd, network: false });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('when on, sends read-only queries to Railway with the command\'s token and names the volume', async () => {
    const f = fixture();
    const calls: Array<{ url: string; headers: Record<string, string>; body: { query: string; variables: { id: string } } }> = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(init.body as string) });
      const data = { project: { name: 'shop', volumes: { edges: [{ node: { id: 'vol_123', name: 'pgdata', volumeInstances: { edges: [{ node: { environment: { name: 'production' } } }] } } }] } } };
      return new Response(JSON.stringify({ data }), { status: 200 });
    }));
    const t = await resolveLine(LINE, { env: { HOME: f.home, RAILWAY_API_TOKEN: SECRETS[2] }, cwd: f.cwd, network: true });
    expect(t!.fields).toMatchObject({ volume: 'pgdata (vol_123)', 'volume environments': ['production'], project: 'shop' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://backboard.railway.com/graphql/v2');
    expect(calls[0]!.headers.authorization).toBe(`Bearer ${SECRETS[2]}`);
    expect(calls[0]!.body.query).toMatch(/^query /);
    expect(calls[0]!.body.query).not.toContain('mutation');
    expect(calls[0]!.body.variables.id).toBe('p-shop');
    noSecrets(t);
  });

  it('gives up at the deadline and leaves the ids unnamed', async () => {
    const hang = vi.fn((_: string, init: RequestInit) => new Promise<Response>((_, reject) => init.signal!.addEventListener('abort', () => reject(new Error('aborted')))));
    const started = Date.now();
    const names = await lookupRailwayNames({ projectId: 'p' }, { header: 'authorization', value: 'Bearer x' }, { endpoint: 'https://backboard.railway.com/graphql/v2', timeoutMs: 100, fetch: hang as unknown as typeof fetch });
    expect(names).toEqual({});
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('fixture sanity', () => {
  it('the fixture is the CLI format: projects keyed by absolute path, user tokens', () => {
    const f = fixture();
    const raw = JSON.parse(readFileSync(join(f.home, '.railway', 'config.json'), 'utf8'));
    expect(Object.keys(raw.projects)).toContain(f.shop);
    expect(raw.user.accessToken).toBe(SECRETS[0]);
  });
});

describe('railway api with a document that cannot be read', () => {
  it('is judged as an API request, not as the linked project', async () => {
    const f = fixture();
    const t = await resolveLine('railway api --file no-such.graphql', { env: { HOME: f.home }, cwd: f.cwd });
    expect(t!.fields.environment).toBeUndefined();
    expect(t!.credential!.name).toContain('railway login session');
    expect(t!.notes!.join(' ')).toContain('linked to shop / staging');
  });
});

describe('the name to type', () => {
  it('is never a description: with RAILWAY_TOKEN and no flags there is no name', async () => {
    const f = fixture();
    const t = await resolveLine('railway environment delete -y', { env: { HOME: f.home, RAILWAY_TOKEN: 'x' }, cwd: f.cwd });
    expect(t!.name).toBeUndefined();
    const named = await resolveLine('railway volume delete -y', { env: { HOME: f.home }, cwd: f.cwd });
    expect(named!.name).toBeUndefined(); // the CLI would ask which volume
  });
});
