// Differential fuzz (issue 16): lines generated from bash constructs × wrappers × guarded commands are judged
// by the real pipeline, then run by real bash inside a private mount namespace (bubblewrap: the host is
// read-only, no network) where every guarded tool is a recorder. No line `check` allows may run an argv that
// `check` refuses on its own. Fixed seed, bounded count: the same lines every run.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quote } from 'shell-quote';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePaths } from '../../src/config/paths.js';
import { loadPolicy } from '../../src/config/policy.js';
import { guard, type GuardContext } from '../../src/pipeline.js';
import { loadRuleIndex } from '../../src/rulesets/registry.js';
import type { Actor } from '../../src/types.js';

const SEED = 0x5eed_b1a5;
const COUNT = 240;
/** Lines run side by side, each worker in its own directory. */
const WORKERS = 3;
const TOOLS = ['terraform', 'railway', 'kubectl', 'psql', 'aws', 'git', 'rm'];

/** mulberry32: a tiny PRNG so the lines are the same on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

const COMMANDS = [
  'terraform destroy -auto-approve',
  'terraform apply -destroy -auto-approve',
  'TF_CLI_ARGS=-destroy terraform apply -auto-approve',
  'railway down -y',
  'kubectl delete namespace production',
  "psql -c 'DROP TABLE orders'",
  'git push --force origin main',
  'rm -rf /',
  'terraform plan',
  'kubectl get pods',
  'railway status',
  'git status',
];

type Form = { make: (c: string) => string; agentOnly?: boolean };

const WRAPPERS: Form[] = [
  { make: (c) => c },
  { make: (c) => `env ${c}` },
  { make: (c) => `env -u HOME ${c}` },
  { make: (c) => `command ${c}` },
  { make: (c) => `nice -n 1 ${c}` },
  { make: (c) => `timeout 5 ${c}` },
  { make: (c) => `time ${c}` },
  { make: (c) => `stdbuf -oL ${c}` },
  { make: (c) => `nohup ${c}` },
  { make: (c) => `setsid -w ${c}` },
  { make: (c) => `exec ${c}` },
  { make: (c) => `bash -c ${q(c)}` },
  { make: (c) => `sh -c ${q(c)}` },
  { make: (c) => `eval ${q(c)}` },
  { make: (c) => `builtin eval ${q(c)}` },
  { make: (c) => `echo x | xargs sh -c ${q(c)}` },
  { make: (c) => `env -S ${q(c)}` },
  { make: (c) => `flock /tmp/fuzz.lock ${c}` },
  { make: (c) => `su -c ${q(c)} root` },
];

const CONSTRUCTS: Form[] = [
  { make: (c) => c },
  { make: (c) => `! ${c}` },
  { make: (c) => `! ! ${c}` },
  { make: (c) => `if true; then ${c}; fi` },
  { make: (c) => `! if true; then ${c}; fi` },
  { make: (c) => `time if true; then ${c}; fi` },
  { make: (c) => `for i in 1; do ${c}; done` },
  { make: (c) => `! for i in 1; do ${c}; done` },
  { make: (c) => `time for i in 1; do ${c}; done` },
  { make: (c) => `while true; do ${c}; break; done` },
  { make: (c) => `! while true; do ${c}; break; done` },
  { make: (c) => `until false; do ${c}; break; done` },
  { make: (c) => `! until false; do ${c}; break; done` },
  { make: (c) => `select x in a; do ${c}; break; done <<< 1` },
  { make: (c) => `! select x in a; do ${c}; break; done <<< 1` },
  { make: (c) => `case a in a) ${c};; esac` },
  { make: (c) => `{ ${c}; }` },
  { make: (c) => `time { ${c}; }` },
  { make: (c) => `(${c})` },
  { make: (c) => `${c} | cat` },
  { make: (c) => `true && ${c}` },
  { make: (c) => `false || ${c}` },
  { make: (c) => `echo $(${c})` },
  { make: (c) => `x=$(${c})` },
  { make: (c) => `f() { ${c}; }; f` },
  { make: (c) => `function g { ${c}; }; g` },
  { make: (c) => `${c} & wait` },
  { make: (c) => `source <(echo ${q(c)})` },
  { make: (c) => `. <(echo ${q(c)})` },
  { make: (c) => `bash <(echo ${q(c)})` },
  { make: (c) => `echo ${q(c)} | bash` },
  { make: (c) => `bash <<< ${q(c)}` },
  { make: (c) => `printf '%s\\n' ${q(c)} > s.sh && bash s.sh` },
  { make: (c) => `echo ${q(c)} > s.sh; . ./s.sh` },
  { make: (c) => `echo ${q(c)} > s.sh; sh < s.sh` },
  { make: (c) => `cat > s.sh <<'EOF'\n${c}\nEOF\nbash s.sh` },
  { make: (c) => `trap ${q(c)} EXIT` },
  { make: (c) => `cmd=${q(c)}; $cmd` },
  { make: (c) => `find . -maxdepth 0 -exec ${c} \\;` },
  { make: (c) => `printf 'all:\\n\\t%s\\n' ${q(c)} > Makefile && make -s`, agentOnly: true },
  { make: (c) => `awk ${q(`BEGIN { system("${c.replace(/["\\]/g, '\\$&')}") }`)}`, agentOnly: true },
  { make: (c) => `script -qec ${q(c)} /dev/null`, agentOnly: true },
];

interface Line {
  text: string;
  agentOnly: boolean;
}

const generate = (): Line[] => {
  const random = prng(SEED);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
  const lines = new Map<string, Line>();
  while (lines.size < COUNT) {
    let text = pick(COMMANDS);
    let agentOnly = false;
    const layers = random() < 0.35 ? 2 : 1;
    for (let n = 0; n < layers; n++) {
      const wrapper = pick(WRAPPERS);
      const construct = pick(CONSTRUCTS);
      text = construct.make(wrapper.make(text));
      agentOnly ||= construct.agentOnly === true || wrapper.agentOnly === true;
    }
    lines.set(text, { text, agentOnly });
  }
  return [...lines.values()];
};

let root: string;
let contexts: Record<Actor, GuardContext>;

// Each tool appends one record to .tool.log in the directory it runs in (lines never cd): the worker's own dir.
const RECORDER = `#!/bin/sh
{ printf '%s' "\${0##*/}"
  for a in "$@"; do printf '\\037%s' "$a"; done
  for v in TF_CLI_ARGS TF_CLI_ARGS_apply TF_CLI_ARGS_destroy; do
    eval "x=\\\${$v+set}"; [ "$x" = set ] && eval "printf '\\035%s=%s' $v \\"\\\$$v\\""
  done
  printf '\\036'; } >> "$(pwd -P)/.tool.log"
exit 0
`;

/** Runs every line in one bubblewrap sandbox; returns, per line, the argvs (with recorded env) the tools saw. */
const runAll = (lines: Line[]): string[][] => {
  const bin = join(root, 'bin');
  const out = join(root, 'out');
  for (const dir of [bin, out]) mkdirSync(dir, { recursive: true });
  for (let w = 0; w < WORKERS; w++) mkdirSync(join(root, `work${w}`), { recursive: true });
  for (const tool of TOOLS) {
    writeFileSync(join(bin, tool), RECORDER);
    chmodSync(join(bin, tool), 0o755);
  }
  lines.forEach((line, i) => writeFileSync(join(root, `line.${i}`), line.text));
  const driver = `for w in $(seq 0 ${WORKERS - 1}); do
  ( cd ${root}/work$w
    for i in $(seq $w ${WORKERS} ${lines.length - 1}); do
      (PATH=${bin}:/usr/local/bin:/usr/bin:/bin timeout 5 bash -c "$(cat ${root}/line.$i)" </dev/null >/dev/null 2>&1)
      if [ -f .tool.log ]; then mv .tool.log ${out}/$i; fi
    done ) &
done
wait`;
  // Every real binary of a guarded tool is covered by the recorder too (`/usr/bin/rm`, `env -i` with no PATH).
  const covers = TOOLS.flatMap((tool) => {
    let real: string;
    try {
      real = realpathSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim());
    } catch {
      return [];
    }
    const seen = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    return [...new Set([real, seen])].flatMap((path) => ['--ro-bind', join(bin, tool), path]);
  });
  execFileSync('bwrap', [
    '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--bind', root, root,
    ...covers, '--unshare-net', '--unshare-pid', '--die-with-parent', '--chdir', root, 'bash', '-c', driver,
  ], { stdio: 'ignore', timeout: 120_000 });
  return lines.map((_line, i) => {
    const file = join(out, String(i));
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').split('\u001e').filter((r) => r !== '').map((record) => {
      const [head, ...envParts] = record.split('\u001d');
      const [tool, ...args] = head!.split('\u001f');
      return `${envParts.join(' ')}${envParts.length ? ' ' : ''}${quote([tool!, ...args])}`;
    });
  });
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'blastgate-fuzz-'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state'), XDG_DATA_HOME: join(home, 'data') };
  const paths = { ...resolvePaths(env), defaultSystemDir: join(home, 'system') };
  const cwd = join(root, 'work0');
  mkdirSync(cwd, { recursive: true });
  const index = await loadRuleIndex({ paths, cwd });
  const ctx = async (actor: Actor): Promise<GuardContext> => ({
    env: {}, cwd, actor: { actor, reason: 'fuzz' }, index, policy: await loadPolicy({ paths, cwd, actor }), resolve: false,
  });
  contexts = { human: await ctx('human'), agent: await ctx('agent') };
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('differential fuzz: what check allows, bash runs safely', () => {
  it(`${COUNT} generated lines (seed ${SEED.toString(16)}): no allowed line runs a refused argv`, async () => {
    const lines = generate();
    const ran = runAll(lines);
    const refusedAlone = new Map<string, boolean>();
    const refused = async (line: string, actor: Actor): Promise<boolean> => {
      const key = `${actor} ${line}`;
      if (!refusedAlone.has(key)) refusedAlone.set(key, (await guard({ kind: 'line', text: line }, contexts[actor])).decision !== 'allow');
      return refusedAlone.get(key)!;
    };
    const bypasses: string[] = [];
    let allowedLines = 0;
    let refusedRuns = 0;
    for (const [i, line] of lines.entries()) {
      for (const actor of ['human', 'agent'] as const) {
        if (actor === 'human' && line.agentOnly) continue; // closed world is for agents; humans keep today's verdict
        const verdict = await guard({ kind: 'line', text: line.text }, contexts[actor]);
        for (const argv of ran[i]!) {
          if (!(await refused(argv, actor))) continue;
          if (verdict.decision === 'allow') bypasses.push(`${actor}: ${JSON.stringify(line.text)} ran ${argv}`);
          else refusedRuns++;
        }
        if (verdict.decision === 'allow') allowedLines++;
      }
    }
    expect(bypasses).toEqual([]);
    // Not vacuous: the recorders saw dangerous runs, and safe lines were judged allow.
    expect(refusedRuns).toBeGreaterThan(COUNT / 4);
    expect(allowedLines).toBeGreaterThan(COUNT / 10);
  }, 180_000);
});
