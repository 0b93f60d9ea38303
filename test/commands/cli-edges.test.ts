// What a new user hits at the edges of the CLI: a closed pipe, a command typed without `--`, a
// mistyped rule id, `-v`. Real processes: bash pipelines into `head`, the built CLI.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blastgate, BIN, sandbox } from '../helpers/cli.js';

const T = 60_000;
const box = sandbox();
beforeAll(() => {
  expect(blastgate(['init', '--no-shell-rc'], { env: box.env }).code).toBe(0);
}, T);
afterAll(() => rmSync(box.root, { recursive: true, force: true }));

describe('a closed pipe', () => {
  it.each(['rules list', '--help', 'log', 'doctor', 'shims list', 'rules show terraform:destroy'])('`blastgate %s | head -1` ends quietly', (args) => {
    // Enough output to outlast head's read: a doctor or log this short would not hit the closed pipe.
    if (args === 'log') {
      for (let i = 0; i < 3; i++) blastgate(['run', '--', 'kubectl', 'delete', 'namespace', `n${i}`], { env: { ...box.env, BLASTGATE_APPROVAL_WAIT: '0' } });
    }
    const r = spawnSync('/bin/bash', ['-c', `for i in 1 2 3; do "$0" "$1" ${args} | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"; done`, process.execPath, BIN], { env: box.env, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    // Dies by SIGPIPE like a C tool (141 in the shell), or finished before head closed the pipe (0/1).
    for (const code of r.stdout.trim().split('\n')) expect(['0', '1', '141']).toContain(code);
  }, T);
});

describe('errors with a way forward', () => {
  it('`blastgate check rm -rf /` says to put the command after --', () => {
    const r = blastgate(['check', 'rm', '-rf', '/'], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("blastgate: unknown option '-rf'; put the command to judge after --: blastgate check -- <command …>\n");
  });

  it('`rules show terraform:destory` names the nearest rule id', () => {
    const r = blastgate(['rules', 'show', 'terraform:destory'], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean terraform:destroy?');
  });

  it('-v prints the version, like --version', () => {
    const v = blastgate(['-v'], { env: box.env });
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(blastgate(['--version'], { env: box.env }).stdout);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('the system refuses a file operation', () => {
  it('one line naming the path and the reason, exit 2 — no stack trace', () => {
    const r = blastgate(['init', '--no-shell-rc', '--dir', '/dev/null/shims'], { env: box.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^blastgate: ENOTDIR: not a directory, mkdir '\/dev\/null\/shims'\n$/);
  });
});

describe('rules list --tools', () => {
  it('lists every guarded tool with its rule count, and --json gives the same rows', () => {
    const box = sandbox();
    try {
      const text = blastgate(['rules', 'list', '--tools'], { env: box.env });
      expect(text.code, text.stderr).toBe(0);
      const rows = JSON.parse(blastgate(['rules', 'list', '--tools', '--json'], { env: box.env }).stdout) as Array<{ tool: string; rules: number; binaries: string[] }>;
      for (const tool of ['terraform', 'railway', 'psql', 'kubectl', 'aws', 'docker', 'helm', 'mysql', 'mongosh', 'redis-cli', 'gcloud', 'az', 'fly', 'heroku', 'gh', 'wrangler', 'find', 'dd']) {
        const row = rows.find((r) => r.tool === tool);
        expect(row, tool).toBeDefined();
        expect(row!.rules, tool).toBeGreaterThan(0);
        expect(text.stdout).toMatch(new RegExp(`^${tool.replace('-', '\\-')}\\s+${row!.rules} rules`, 'm'));
      }
    } finally {
      rmSync(box.root, { recursive: true, force: true });
    }
  });
});
