import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, test } from 'vitest';
import {
  ENV_MARKERS,
  MAX_ANCESTRY_STEPS,
  detectActor,
  parsePsTable,
  readProcLinux,
  recogniseHarness,
  type ProcInfo,
} from '../../src/stages/actor.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const actorModule = join(repoRoot, 'src/stages/actor.ts');

/** A fake process table: pid → info. Anything missing reads as "no such process". */
function fakeProcs(table: Record<number, ProcInfo>): (pid: number) => ProcInfo | undefined {
  return (pid) => table[pid];
}

const proc = (ppid: number, comm: string, argv: string[] = [comm], exe?: string): ProcInfo => ({ ppid, comm, argv, exe });

/** A human's terminal: bash under sshd under init, with nothing agent-like anywhere. */
const humanChain = fakeProcs({
  300: proc(200, 'node', ['node', '/usr/local/bin/blastgate', 'run', '--', 'terraform', 'destroy']),
  200: proc(100, 'bash', ['-bash']),
  100: proc(1, 'sshd', ['sshd: alice@pts/0']),
  1: proc(0, 'systemd', ['/sbin/init']),
});

describe('env markers', () => {
  test.each([
    ['CLAUDECODE', '1', 'Claude Code'],
    ['CLAUDE_CODE_SESSION_ID', '6f1c0d2e-1b7e-4a51-9d1e-3f1d2a9b7c10', 'Claude Code'],
    ['AI_AGENT', 'claude-code_2-1-170_agent', 'Claude Code'],
    ['GEMINI_CLI', '1', 'Gemini CLI'],
    ['CODEX_SANDBOX_NETWORK_DISABLED', '1', 'Codex CLI'],
    ['CODEX_SANDBOX', 'seatbelt', 'Codex CLI'],
    ['CODEX_CI', '1', 'Codex CLI'],
    ['CODEX_THREAD_ID', '0199a3c4-thread', 'Codex CLI'],
    ['COPILOT_CLI', '1', 'GitHub Copilot CLI'],
    ['COPILOT_AGENT_SESSION_ID', 'abc123', 'GitHub Copilot CLI'],
    ['GOOSE_TERMINAL', '1', 'goose'],
    ['AGENT_SESSION_ID', '20260217_5', 'goose'],
    ['AGENT', 'goose', 'goose'],
    ['AGENT', '1', 'OpenCode'],
    ['OPENCODE', '1', 'OpenCode'],
    ['CLINE_ACTIVE', 'true', 'Cline'],
    ['OR_APP_NAME', 'Aider', 'Aider'],
    ['CURSOR_AGENT', '1', 'Cursor agent'],
  ])('%s=%s marks the caller as an agent (%s)', (name, value, harness) => {
    const v = detectActor({ env: { [name]: value }, readProc: humanChain, pid: 300 });
    expect(v.actor).toBe('agent');
    expect(v.reason).toContain(`${name}=`);
    expect(v.reason).toContain(harness);
  });

  it('covers every marker in the table (no marker without a test row)', () => {
    for (const m of ENV_MARKERS) {
      const v = detectActor({ env: { [m.name]: m.value ?? 'x' }, readProc: humanChain, pid: 300 });
      expect(v.actor, m.name).toBe('agent');
    }
  });

  it('ignores a marker that was emptied (how people unset CLAUDECODE to nest sessions)', () => {
    expect(detectActor({ env: { CLAUDECODE: '' }, readProc: humanChain, pid: 300 }).actor).toBe('human');
  });

  it('needs the exact value for a generic name: OR_APP_NAME of another app is not Aider', () => {
    expect(detectActor({ env: { OR_APP_NAME: 'MyDashboard' }, readProc: humanChain, pid: 300 }).actor).toBe('human');
  });

  it('shortens a long marker value in the reason', () => {
    const v = detectActor({ env: { AI_AGENT: 'x'.repeat(500) }, readProc: humanChain, pid: 300 });
    expect(v.reason).toContain(`AI_AGENT=${'x'.repeat(37)}...`);
    expect(v.reason).not.toContain('x'.repeat(41));
  });

  it('does not walk the ancestry when the environment already says agent', () => {
    let reads = 0;
    detectActor({ env: { GEMINI_CLI: '1' }, readProc: () => { reads++; return undefined; } });
    expect(reads).toBe(0);
  });
});

describe('BLASTGATE_ACTOR', () => {
  it('=agent tightens', () => {
    const v = detectActor({ env: { BLASTGATE_ACTOR: 'agent' }, readProc: humanChain, pid: 300 });
    expect(v).toEqual({ actor: 'agent', reason: 'BLASTGATE_ACTOR=agent in environment' });
  });

  it('=human does not make an agent human, and the reason says it was ignored', () => {
    const v = detectActor({ env: { BLASTGATE_ACTOR: 'human', CLAUDECODE: '1' }, readProc: humanChain, pid: 300 });
    expect(v.actor).toBe('agent');
    expect(v.reason).toMatch(/^CLAUDECODE=1 in environment \(Claude Code\)/);
    expect(v.reason).toContain('BLASTGATE_ACTOR=human ignored');
  });

  it('=human does not hide a harness ancestor', () => {
    const readProc = fakeProcs({ 300: proc(250, 'node'), 250: proc(1, 'claude'), 1: proc(0, 'init') });
    const v = detectActor({ env: { BLASTGATE_ACTOR: 'human' }, readProc, pid: 300 });
    expect(v.actor).toBe('agent');
    expect(v.reason).toContain('ancestor process 250 is claude (Claude Code)');
    expect(v.reason).toContain('BLASTGATE_ACTOR=human ignored');
  });

  it('=human on a human terminal: human, but the claim is reported as ignored, not believed', () => {
    const v = detectActor({ env: { BLASTGATE_ACTOR: 'human' }, readProc: humanChain, pid: 300 });
    expect(v.actor).toBe('human');
    expect(v.reason).toContain('BLASTGATE_ACTOR=human ignored');
  });
});

describe('ancestry (fake process table)', () => {
  it('a plain terminal chain is human, and the reason says how many processes were checked', () => {
    const v = detectActor({ env: {}, readProc: humanChain, pid: 300 });
    expect(v).toEqual({ actor: 'human', reason: 'no agent marker in environment; no agent harness among 4 processes' });
  });

  test.each<[string, ProcInfo, string]>([
    ['claude by comm', proc(1, 'claude', ['claude', '--dangerously-skip-permissions']), 'claude (Claude Code)'],
    ['claude.exe (npm bin)', proc(1, 'claude.exe', ['/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude.exe']), 'claude (Claude Code)'],
    ['claude on node', proc(1, 'node', ['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js']), 'running @anthropic-ai/claude-code (Claude Code)'],
    ['claude native retitled to its version', proc(1, '2.1.144', ['2.1.144'], '/home/a/.local/share/claude/versions/2.1.144'), '(Claude Code)'],
    ['gemini on node', proc(1, 'node', ['/usr/bin/node', '--max-old-space-size=8192', '/usr/lib/node_modules/@google/gemini-cli/dist/index.js']), 'running @google/gemini-cli (Gemini CLI)'],
    ['codex native under the npm wrapper', proc(1, 'codex', ['/usr/lib/node_modules/@openai/codex/vendor/x86_64-unknown-linux-musl/codex/codex']), 'codex (Codex CLI)'],
    ['cursor-agent bundle', proc(1, 'node', ['/home/a/.local/share/cursor-agent/versions/2026.05.01/node', 'index.js'], '/home/a/.local/share/cursor-agent/versions/2026.05.01/node'), '(Cursor agent)'],
    ['copilot', proc(1, 'copilot', ['copilot']), 'copilot (GitHub Copilot CLI)'],
    ['aider as a python script', proc(1, 'python3', ['python3', '/home/a/.local/bin/aider', '--model', 'x']), 'aider (Aider)'],
    ['aider as a python module', proc(1, 'python3', ['python3', '-m', 'aider']), 'aider (Aider)'],
    ['npx of the claude package', proc(1, 'npm exec @anthropic-ai/claude-code', ['npm', 'exec', '@anthropic-ai/claude-code']), '(Claude Code)'],
    ['opencode', proc(1, 'opencode', ['opencode']), 'opencode (OpenCode)'],
    ['goose', proc(1, 'goose', ['goose', 'session']), 'goose (goose)'],
  ])('recognises %s', (_label, info, expected) => {
    expect(recogniseHarness(info)).toContain(expected);
  });

  test.each<[string, ProcInfo]>([
    ['an editor opening a file named claude', proc(1, 'vim', ['vim', 'claude'])],
    ['a shell running a command', proc(1, 'bash', ['bash', '-c', 'codex --help'])],
    ['grep for the package name in a later argument', proc(1, 'grep', ['grep', '-r', 'x', 'y', '@openai/codex'])],
    ['plain node', proc(1, 'node', ['node', 'server.js'], '/usr/bin/node')],
  ])('does not mistake %s for a harness', (_label, info) => {
    expect(recogniseHarness(info)).toBeUndefined();
  });

  it('finds the nearest harness and names its pid', () => {
    const readProc = fakeProcs({
      500: proc(400, 'node', ['node', 'blastgate']),
      400: proc(4242, 'bash', ['bash', '-c', 'terraform destroy']),
      4242: proc(10, 'claude', ['claude']),
      10: proc(1, 'tmux: server', ['tmux']),
      1: proc(0, 'init'),
    });
    expect(detectActor({ env: {}, readProc, pid: 500 })).toEqual({
      actor: 'agent',
      reason: 'ancestor process 4242 is claude (Claude Code)',
    });
  });

  it('checks pid 1 itself (a harness as a container entrypoint) but goes no further', () => {
    const asked: number[] = [];
    const table = { 20: proc(1, 'bash'), 1: proc(0, 'codex', ['codex', 'exec']) };
    const v = detectActor({ env: {}, pid: 20, readProc: (pid) => { asked.push(pid); return table[pid as keyof typeof table]; } });
    expect(v.reason).toBe('ancestor process 1 is codex (Codex CLI)');
    expect(asked).toEqual([20, 1]);
  });

  it('stops after MAX_ANCESTRY_STEPS even if the table never ends', () => {
    let reads = 0;
    const v = detectActor({ env: {}, pid: 10_000, readProc: (pid) => { reads++; return proc(pid + 1, 'sh'); } });
    expect(reads).toBe(MAX_ANCESTRY_STEPS);
    expect(v.actor).toBe('human');
  });

  it('stops on a self-parented process instead of looping', () => {
    let reads = 0;
    detectActor({ env: {}, pid: 7, readProc: () => { reads++; return proc(7, 'weird'); } });
    expect(reads).toBe(1);
  });

  it('says when the walk was cut short by an unreadable process', () => {
    const readProc = fakeProcs({ 300: proc(200, 'node'), 200: proc(100, 'bash') });
    const v = detectActor({ env: {}, readProc, pid: 300 });
    expect(v.actor).toBe('human');
    expect(v.reason).toContain('could not read process 100');
  });

  it('on a platform without a reader, says the ancestry was not checked', () => {
    const v = detectActor({ env: {}, platform: 'win32' });
    expect(v).toEqual({ actor: 'human', reason: 'no agent marker in environment; process ancestry not checked on win32' });
  });
});

describe('macOS ps table', () => {
  it('parses pid, ppid and command into a walkable table', () => {
    const table = parsePsTable([
      '    1     0 /sbin/launchd',
      '  812     1 /Applications/iTerm.app/Contents/MacOS/iTerm2',
      ' 4242   812 claude --dangerously-skip-permissions',
      ' 4300  4242 /bin/zsh -c terraform destroy',
      '',
    ].join('\n'));
    expect(table.get(4242)).toEqual({ ppid: 812, comm: 'claude', argv: ['claude', '--dangerously-skip-permissions'] });
    const v = detectActor({ env: {}, pid: 4300, readProc: (pid) => table.get(pid) });
    expect(v.reason).toBe('ancestor process 4242 is claude (Claude Code)');
  });
});

describe.runIf(process.platform === 'linux')('ancestry (real processes, Linux)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bg-actor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // The probe prints what detectActor says about its own process, with an empty env.
  const probe = join(dir, 'probe.mjs');
  writeFileSync(probe, [
    'const { detectActor } = await import(process.argv[2]);',
    'const v = detectActor({ env: process.env });',
    'console.log(JSON.stringify({ pid: process.pid, envKeys: Object.keys(process.env), ...v }));',
  ].join('\n'));
  const node = process.execPath;
  const runProbe = `"${node}" --import tsx "${probe}" "${actorModule}"`;

  const markerNames = [...ENV_MARKERS.map((m) => m.name), 'BLASTGATE_ACTOR'];

  function parse(stdout: string): { harness: number; verdict: { actor: string; reason: string; envKeys: string[] } } {
    const harness = Number(/^harness=(\d+)$/m.exec(stdout)?.[1]);
    const json = stdout.split('\n').find((l) => l.startsWith('{'));
    if (!json) throw new Error(`probe printed no verdict:\n${stdout}`);
    return { harness, verdict: JSON.parse(json) };
  }

  it('sees through env -i: a bash whose argv[0] is "claude" is found as an ancestor', () => {
    // exec -a renames argv[0] only (comm stays "bash"); the trailing `exit` keeps bash from exec'ing node.
    const script = `exec -a claude bash -c 'echo harness=$$; env -i PATH="$PATH" ${runProbe.replace(/'/g, `'\\''`)}; exit $?'`;
    const r = spawnSync('bash', ['-c', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const { harness, verdict } = parse(r.stdout);
    expect(verdict.envKeys.filter((k) => markerNames.includes(k))).toEqual([]);
    expect(verdict.actor).toBe('agent');
    expect(verdict.reason).toBe(`ancestor process ${harness} is claude (Claude Code)`);
  });

  it('sees a script named claude on PATH that runs the command, with a cleared environment', () => {
    const bin = join(dir, 'bin');
    spawnSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'claude'), `#!/bin/sh\necho harness=$$\n${runProbe}\nexit $?\n`);
    chmodSync(join(bin, 'claude'), 0o755);
    const r = spawnSync('env', ['-i', `PATH=${bin}:/usr/bin:/bin`, 'claude'], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const { harness, verdict } = parse(r.stdout);
    expect(verdict.envKeys.filter((k) => markerNames.includes(k))).toEqual([]);
    expect(verdict.reason).toBe(`ancestor process ${harness} is claude (Claude Code)`);
  });

  it('readProcLinux reads this process: parent pid, name and argv', () => {
    const me = readProcLinux(process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me?.argv[0]).toBe(process.argv0);
    expect(me?.exe).toBe(process.execPath);
    expect(readProcLinux(2 ** 22 + 12_345)).toBeUndefined();
  });
});
