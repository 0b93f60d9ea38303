// `blastgate log` for people: SQL that came on stdin or in a heredoc is shown with the command (it is in
// no argv), and times have one format for people while `--json` keeps ISO 8601.
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { blastgateArgv, gateArgv, makeSandbox, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
  box.setPassphrase();
});
afterEach(() => box.cleanup());

const cli = (args: string[]) => {
  const [node, ...rest] = blastgateArgv(args);
  return spawnSync(node!, rest, { env: box.env, encoding: 'utf8' });
};

it('shows the SQL a gated psql read from stdin, and times as "YYYY-MM-DD HH:MM:SS UTC"; --json keeps ISO', () => {
  const r = spawnSync('setsid', ['-w', ...gateArgv(['psql', '-d', 'shop'])], {
    env: { ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' },
    cwd: box.work,
    input: 'DROP TABLE orders;\n',
    encoding: 'utf8',
  });
  expect(r.status).toBe(77);
  const log = cli(['log']);
  expect(log.stdout).toMatch(/psql -d shop <<< DROP TABLE orders \(from stdin\)/);
  expect(log.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC /m);
  const json = cli(['log', '--json']);
  const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { time: string; payload?: string[] });
  expect(records[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  expect(records.some((rec) => rec.payload?.[0]?.startsWith('DROP TABLE orders'))).toBe(true);
});
