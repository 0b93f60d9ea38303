// What unwrap now follows: programs that run other programs, remote and container exec (with where it runs),
// files read as scripts (package.json, Makefile, a script on disk), and the closed world for agents.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, test } from 'vitest';
import { resolvePaths } from '../../src/config/paths.js';
import { loadPolicy } from '../../src/config/policy.js';
import { guard, type GuardContext } from '../../src/pipeline.js';
import { loadRuleIndex } from '../../src/rulesets/registry.js';
import { parseLine } from '../../src/stages/parse.js';
import { withLineContext } from '../../src/stages/pipes.js';
import { unwrap } from '../../src/stages/unwrap.js';
import type { Actor, Unwrapped } from '../../src/types.js';
import { execPrograms, parseExecPrograms } from '../../src/unwrap/exec-programs-data.js';
import { scriptReader } from '../../src/unwrap/read-script.js';
import { RUNS_COMMANDS_WORDS, ssmCommands } from '../../src/unwrap/remote.js';
import { prefilterFor } from '../../src/shims/prefilter.js';

let root: string;
let contexts: Record<Actor, GuardContext>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'blastgate-unwrap-'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), XDG_DATA_HOME: join(home, 'data') };
  const paths = { ...resolvePaths(env), defaultSystemDir: join(home, 'system') };
  const index = await loadRuleIndex({ paths, cwd: root });
  const ctx = async (actor: Actor): Promise<GuardContext> => ({
    env: {}, cwd: root, actor: { actor, reason: 'test' }, index, policy: await loadPolicy({ paths, cwd: root, actor }), resolve: false,
  });
  contexts = { human: await ctx('human'), agent: await ctx('agent') };
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const reach = async (line: string, cwd = root): Promise<Unwrapped> => {
  const parsed = withLineContext(await parseLine(line));
  const out: Unwrapped = { invocations: [], unknowns: [...parsed.unknowns] };
  for (const cmd of parsed.commands) {
    const one = await unwrap(cmd, { packages: {}, readFile: scriptReader(cwd) });
    out.invocations.push(...one.invocations);
    out.unknowns.push(...one.unknowns);
  }
  return out;
};

const decisions = async (line: string, cwd = root) => {
  const at = (actor: Actor) => guard({ kind: 'line', text: line }, { ...contexts[actor], cwd });
  return { human: (await at('human')).decision, agent: (await at('agent')).decision };
};

describe('remote and container exec: the command, and where it runs', () => {
  test.each<[string, string[], string[]]>([
    ["docker exec -it db psql -c 'DROP TABLE orders'", ['psql', '-c', 'DROP TABLE orders'], ['container db']],
    ['docker compose -f prod.yml exec -T db psql -c x', ['psql', '-c', 'x'], ['service db']],
    ['kubectl exec -n prod api-0 -c app -- terraform destroy', ['terraform', 'destroy'], ['pod api-0 (namespace prod)']],
    ["ssh -p 2222 deploy@bastion 'terraform destroy -auto-approve'", ['terraform', 'destroy', '-auto-approve'], ['host deploy@bastion']],
    ['sudo -u postgres psql -c x', ['psql', '-c', 'x'], ['user postgres']],
    ['aws-vault exec prod -- terraform destroy', ['terraform', 'destroy'], ['profile prod']],
    ["fly ssh console -a shop -C 'railway down'", ['railway', 'down'], ['app shop']],
    ['railway run -s api -e production -- terraform destroy', ['terraform', 'destroy'], ['service api, environment production']],
    ["ssh bastion \"docker exec db psql -c 'DROP TABLE t'\"", ['psql', '-c', 'DROP TABLE t'], ['host bastion', 'container db']],
  ])('%s', async (line, argv, targets) => {
    const result = await reach(line);
    expect(result.unknowns).toEqual([]);
    const inner = result.invocations.at(-1)!;
    expect(inner.argv).toEqual(argv);
    expect(inner.targets).toEqual(targets);
  });

  it('reads SSM commands from the CLI shorthand and from JSON', () => {
    expect(ssmCommands('commands=["a b","c"]')).toEqual(['a b', 'c']);
    expect(ssmCommands('commands=df -h,uptime')).toEqual(['df -h', 'uptime']);
    expect(ssmCommands('{"commands":["terraform destroy"]}')).toEqual(['terraform destroy']);
    expect(ssmCommands('file://params.json')).toBeNull();
  });

  it("sends a guarded tool's remote-exec words to the full check from its shim", () => {
    const index = contexts.human.index;
    for (const [tool, words] of Object.entries(RUNS_COMMANDS_WORDS)) {
      if (!index.byBinary[tool]) continue;
      const filter = prefilterFor(index, tool);
      if (filter.always) continue;
      for (const word of words) expect(filter.rules.some((r) => r.clauses.length === 1 && r.clauses[0]!.some((a) => a.kind === 'word' && a.word === word)), `${tool} ${word}`).toBe(true);
    }
    expect(prefilterFor(index, 'kubectl').always).toBeNull();
  });

  it('shows where the command runs in the verdict', async () => {
    const verdict = await guard({ kind: 'line', text: 'kubectl exec -n prod api-0 -- terraform destroy -auto-approve' }, contexts.agent);
    expect(verdict.decision).not.toBe('allow');
    expect(verdict.commands.find((c) => c.program === 'terraform')?.targets).toEqual(['pod api-0 (namespace prod)']);
  });
});

describe('files a command runs as code are read', () => {
  it('npm run / npm test read the script from package.json (pre and post hooks too)', async () => {
    const dir = mkdtempSync(join(root, 'pkg-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { predeploy: 'echo pre', deploy: 'terraform destroy -auto-approve', test: 'vitest run', postbuild: 'railway down -y', build: 'tsc' } }));
    expect(await decisions('npm run deploy', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('pnpm run build', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('npm test', dir)).toEqual({ human: 'allow', agent: 'allow' });
    expect(await decisions('yarn run test -- --watch=false', dir)).toEqual({ human: 'allow', agent: 'allow' });
  });

  it('a package.json that cannot be read is unknown for an agent only', async () => {
    const dir = mkdtempSync(join(root, 'badpkg-'));
    writeFileSync(join(dir, 'package.json'), '{ not json');
    expect(await decisions('npm run deploy', dir)).toEqual({ human: 'allow', agent: 'confirm' });
  });

  it('make reads the Makefile recipes; bash and source read the script on disk', async () => {
    const dir = mkdtempSync(join(root, 'mk-'));
    writeFileSync(join(dir, 'Makefile'), 'all: build\n\nbuild:\n\t@echo building\n\nnuke:\n\t-terraform destroy -auto-approve\n');
    writeFileSync(join(dir, 'deploy.sh'), '#!/bin/sh\nset -e\nkubectl delete namespace production\n');
    writeFileSync(join(dir, 'ok.sh'), 'echo fine\n');
    expect(await decisions('make', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('bash deploy.sh', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('. ./deploy.sh', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('sh < deploy.sh', dir)).toEqual({ human: 'confirm', agent: 'confirm' });
    expect(await decisions('bash ok.sh', dir)).toEqual({ human: 'allow', agent: 'allow' });
  });

  it('what cannot be judged inside a script on disk stops an agent, not a person running their own script', async () => {
    const dir = mkdtempSync(join(root, 'entry-'));
    writeFileSync(join(dir, 'entrypoint.sh'), '#!/bin/sh\nset -e\n"$DEPLOY_TOOL" apply\n');
    expect(await decisions('bash entrypoint.sh', dir)).toEqual({ human: 'allow', agent: 'confirm' });
    // Written on the line instead, it is the line's own text: unknown for everyone.
    expect(await decisions(`printf '"$DEPLOY_TOOL" apply\\n' > e.sh && bash e.sh`, dir)).toEqual({ human: 'confirm', agent: 'confirm' });
  });

  it('a script that is not a regular file is unknown for an agent (never read: no FIFO blocks the check)', async () => {
    const dir = mkdtempSync(join(root, 'dev-'));
    expect(await decisions(`bash ${dir}`, dir)).toEqual({ human: 'allow', agent: 'confirm' });
    expect(await decisions('bash /dev/zero', dir)).toEqual({ human: 'allow', agent: 'confirm' });
  });
});

describe('closed world for agents', () => {
  it('lists every program unwrap peels for what it runs, and validates its data file', () => {
    const programs = execPrograms();
    for (const name of ['find', 'xargs', 'awk', 'sed', 'make', 'script', 'parallel', 'busybox', 'tmux', 'chroot', 'unshare', 'runuser', 'strace', 'dotenv', 'railway', 'ssh', 'docker', 'kubectl']) {
      expect(programs[name], name).toBeTypeOf('string');
    }
    const file = join(import.meta.dirname, '..', '..', 'rulesets', 'data', 'exec-programs.yaml');
    expect(parseExecPrograms(readFileSync(file, 'utf8'), file)).toEqual(programs);
    expect(() => parseExecPrograms('programs:\n  "rm -rf": x\n', 'f.yaml')).toThrow('f.yaml: programs.rm -rf: not a program name');
    expect(() => parseExecPrograms('programs:\n  foo: ""\n', 'f.yaml')).toThrow('f.yaml: programs.foo: say what it runs');
    expect(() => parseExecPrograms('- a\n', 'f.yaml')).toThrow('f.yaml: expected a "programs:" mapping');
  });

  test.each([
    'systemd-run --user ./deploy.sh',
    'entr -r ./run.sh',
    "awk '{ system($0) }' cmds.txt",
    "sed 's/x/y/e' file",
    'ssh prod',
    'railway connect postgres',
  ])('%s: unknown for an agent, as before for a human', async (line) => {
    expect(await decisions(line)).toEqual({ human: 'allow', agent: 'confirm' });
  });

  it('an agent-only unknown names the program and what it runs', async () => {
    const verdict = await guard({ kind: 'line', text: 'systemd-run --user ./deploy.sh' }, contexts.agent);
    expect(verdict.unknowns).toEqual([expect.objectContaining({ agentOnly: true, reason: expect.stringContaining('systemd-run runs other programs') })]);
  });
});

describe('long inputs are unknown at once', () => {
  it('a line of 64k pipeline stages or over 1 MiB is unknown, not judged piece by piece', async () => {
    const stages = await parseLine(Array(64_000).fill('true').join(' | '));
    expect(stages.commands).toEqual([]);
    expect(stages.unknowns[0]!.reason).toBe('more than 5000 commands in one line');
    expect(stages.unknowns[0]!.text.length).toBeLessThan(210);
    const grammar = await parseLine(`${Array(16_000).fill('true').join(' | ')} | echo $(date)`);
    expect(grammar.unknowns.map((u) => u.reason)).toEqual(['more than 5000 commands in one line']);
    const big = await parseLine(`echo ${'x'.repeat(1024 * 1024)}`);
    expect(big.unknowns.map((u) => u.reason)).toEqual(['line longer than 1048576 bytes']);
    expect((await decisions(Array(64_000).fill('true').join(' | '))).human).toBe('confirm');
  });

  it('a line under the caps is still judged command by command', async () => {
    const parsed = await parseLine(`${Array(4000).fill('true').join(' | ')} | terraform destroy`);
    expect(parsed.unknowns).toEqual([]);
    expect(parsed.commands).toHaveLength(4001);
  });
});
