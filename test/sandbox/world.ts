// One sandbox test world: a temp HOME with real-looking credentials, XDG dirs, a workspace, a fake
// railway that logs what it received, all owned by the agent user; a real PostgreSQL with shop.orders.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolvePaths, type Paths } from '../../src/config/paths.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { agentUser, giveTo, runAs, startAs, userTempDir, type AgentUser, type Done } from './agent-user.js';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const BIN = join(repoRoot, 'bin', 'blastgate.js');
export const REAL = { railwayConfigToken: 'real-railway-config-token-7f3a', railwayApiToken: 'real-railway-api-token-91cc', pgpass: 'localhost:*:*:postgres:real-pg-password-55' };

export interface World {
  user: AgentUser;
  root: string;
  home: string;
  work: string;
  fakeLog: string;
  env: Record<string, string>;
  paths: Paths;
  /** `blastgate sandbox -- bash -c <line>` as the agent user, in the workspace. */
  sandbox(line: string, extra?: Record<string, string>): Done;
  startSandbox(line: string, extra?: Record<string, string>): ReturnType<typeof startAs>;
  /** The fake railway's record of its last run, or null if it never ran. */
  railwayEnv(): Record<string, string> | null;
  railwayArgv(): string[] | null;
  cleanup(): void;
}

/** `userName`: another test area's own agent user (its password-database home holds its approval key). */
export const makeWorld = (userName?: string): World => {
  const user = agentUser(userName);
  const root = userTempDir(user, 'bg-sbx-');
  const home = join(root, 'home');
  const work = join(root, 'work');
  const bin = join(root, 'bin');
  // Inside HOME: readable (not writable) from inside the jail, so a test can wait for the fake to start.
  const logs = join(home, 'logs');
  for (const d of [home, work, bin, logs, join(home, '.railway'), join(root, 'sys')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(home, '.railway', 'config.json'), JSON.stringify({ user: { token: REAL.railwayConfigToken } }));
  writeFileSync(join(home, '.pgpass'), `${REAL.pgpass}\n`, { mode: 0o600 });
  copyFileSync(join(repoRoot, 'test/fixtures/bin/railway'), join(bin, 'railway'));
  chmodSync(join(bin, 'railway'), 0o755);
  giveTo(user, root);
  const fakeLog = join(logs, 'railway');
  const env: Record<string, string> = {
    PATH: `${bin}:/usr/local/bin:/usr/bin:/bin`,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    BLASTGATE_SYSTEM_DIR: join(root, 'sys'),
    RAILWAY_API_TOKEN: REAL.railwayApiToken,
    FAKE_TOOL_LOG: fakeLog,
    BLASTGATE_APPROVAL_WAIT: '0',
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
  };
  const readNul = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\0').slice(0, -1) : null);
  return {
    user,
    root,
    home,
    work,
    fakeLog,
    env,
    paths: resolvePaths(env),
    sandbox: (line, extra = {}) => runAs(user, [process.execPath, BIN, 'sandbox', '--', 'bash', '-c', line], { ...env, ...extra }, work),
    startSandbox: (line, extra = {}) => startAs(user, [process.execPath, BIN, 'sandbox', '--', 'bash', '-c', line], { ...env, ...extra }, work),
    railwayEnv: () => {
      const lines = readNul(`${fakeLog}.env`);
      return lines ? Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) : null;
    },
    railwayArgv: () => readNul(`${fakeLog}.argv`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
};

/** A real server the agent user's tools can reach (outside the jail) with shop.orders in it. */
export const shopDatabase = async (): Promise<TestPostgres & { tableExists(): Promise<boolean>; psqlArgs: string }> => {
  const pg = await startPostgres();
  // The server's dir is postgres-only; the user's psql (run by the broker, outside) must reach the socket.
  chmodSync(pg.host, 0o755);
  await pg.psql('CREATE DATABASE shop');
  await pg.psql('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2)', 'shop');
  return {
    ...pg,
    tableExists: async () => (await pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 'orders'", 'shop')) === '1',
    psqlArgs: `-X -h ${pg.host} -p ${pg.port} -U postgres -d shop`,
  };
};
