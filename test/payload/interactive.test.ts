// An agent with a terminal on stdin of a tool that then reads commands from it (grammar.interactive):
// unknown → confirm for the agent, nothing changes for a human, and the same tools with their commands
// given on the line are judged as before. (The real-PTY attack on psql is in test/e2e/payload-postgres.)
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const box = sandbox();
writeFileSync(join(box.root, 'query.sql'), 'SELECT 1;\n');
afterAll(() => rmSync(box.root, { recursive: true, force: true }));

const decision = (line: string, actor: 'agent' | 'human') => {
  const env = actor === 'agent' ? { ...box.env, CLAUDECODE: '1' } : box.env;
  const r = blastgate(['check', '--json', '--shell', line], { env, cwd: box.root });
  return JSON.parse(r.stdout).decision as string;
};

describe('interactive sessions declared in the rulesets', () => {
  it.each([
    'psql -d shop',
    'psql postgres://app@db.internal/shop',
    'railway connect postgres',
    'redis-cli -h cache.internal',
    'heroku pg:psql -a shop',
    'fly postgres connect -a shop-db',
    'fly pg connect -a shop-db',
    'gcloud sql connect shop-db --user=postgres',
    'pscale shell shop main',
    'rails dbconsole',
    'mysql -h db.internal shop',
    'mongosh mongodb://db.internal/shop',
    'sqlite3 app.db',
  ])('%s: confirm for an agent, allow for a human', (line) => {
    expect(decision(line, 'agent')).toBe('confirm');
    expect(decision(line, 'human')).toBe('allow');
  });

  it.each([
    "psql -d shop -c 'select 1'",
    'psql -d shop -l',
    "echo 'select 1' | psql -d shop",
    'psql -d shop < query.sql',
    'redis-cli -h cache.internal GET session:1',
    "heroku pg:psql -a shop -c 'select 1'",
    'fly postgres list',
    'rails db:migrate:status',
    "mysql -h db.internal shop -e 'select 1'",
    "mongosh mongodb://db.internal/shop --eval 'db.orders.countDocuments()'",
    "sqlite3 app.db 'select count(*) from orders'",
  ])('%s: no terminal session, allowed for an agent', (line) => {
    expect(decision(line, 'agent')).toBe('allow');
  });
});
