import { quote } from 'shell-quote';
import { describe, expect, it, test } from 'vitest';
import { parseLine } from '../../src/stages/parse.js';
import { binaryOfPackage, MAX_UNWRAP_DEPTH, unwrap, unwrapArgv, type UnwrapContext } from '../../src/stages/unwrap.js';
import type { Invocation, Unwrapped } from '../../src/types.js';

const ctx: UnwrapContext = { packages: { '@railway/cli': 'railway', 'terraform-bin': 'terraform' } };

/** Parses a line and unwraps every command in it, as the pipeline does. */
async function reach(line: string): Promise<Unwrapped> {
  const parsed = await parseLine(line);
  const result: Unwrapped = { invocations: [], unknowns: [...parsed.unknowns] };
  for (const cmd of parsed.commands) {
    const one = await unwrap(cmd, ctx);
    result.invocations.push(...one.invocations);
    result.unknowns.push(...one.unknowns);
  }
  return result;
}

type Expected = Partial<Pick<Invocation, 'argv' | 'program' | 'env' | 'wrappers' | 'clearedEnv' | 'unsetEnv' | 'argsUnknown' | 'stdin' | 'dynamic'>>;

/** Finds the invocation of `program` and checks the listed fields. */
async function expectReaches(line: string, program: string, expected: Expected): Promise<void> {
  const result = await reach(line);
  expect(result.unknowns).toEqual([]);
  const found = result.invocations.find((inv) => inv.program === program);
  expect(found, `no ${program} in ${JSON.stringify(result.invocations.map((i) => i.argv))}`).toBeDefined();
  const picked = Object.fromEntries(Object.keys(expected).map((key) => [key, found![key as keyof Expected]]));
  expect(picked).toEqual(expected);
}

describe('reaches the real command', () => {
  test.each<[string, string, Expected]>([
    ["sudo -E env TF_CLI_ARGS_apply=-destroy bash -lc 'cd infra && terraform apply -auto-approve'", 'terraform', {
      argv: ['terraform', 'apply', '-auto-approve'], env: { TF_CLI_ARGS_apply: '-destroy' }, wrappers: ['sudo', 'env', 'bash -c'],
    }],
    ['terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], wrappers: [], env: {} }],
    ['/usr/local/bin/terraform destroy', 'terraform', { argv: ['/usr/local/bin/terraform', 'destroy'] }],
    ['./node_modules/.bin/terraform destroy', 'terraform', { argv: ['./node_modules/.bin/terraform', 'destroy'] }],
    ['timeout -s KILL 10 terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['timeout'] }],
    ['timeout --kill-after=5 --preserve-status 1m terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['xargs -n1 terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], argsUnknown: true, wrappers: ['xargs'] }],
    ['ls | xargs -0 -I{} -P 4 terraform destroy -target={}', 'terraform', { argv: ['terraform', 'destroy', '-target={}'], argsUnknown: true }],
    ['find . | xargs', 'echo', { argv: ['echo'], argsUnknown: true }],
    ['npx @railway/cli down -y', 'railway', { argv: ['@railway/cli', 'down', '-y'], wrappers: ['npx'] }],
    ['npx --yes @railway/cli@3.1.0 down', 'railway', { argv: ['@railway/cli@3.1.0', 'down'] }],
    ['npx -p @railway/cli railway down', 'railway', { argv: ['railway', 'down'] }],
    ['npx --package=@railway/cli -- railway down', 'railway', { argv: ['railway', 'down'] }],
    ['pnpm dlx @railway/cli down', 'railway', { argv: ['@railway/cli', 'down'], wrappers: ['pnpm dlx'] }],
    ['pnpm exec terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['pnpm exec'] }],
    ['yarn dlx @railway/cli down', 'railway', { wrappers: ['yarn dlx'] }],
    ['bunx @railway/cli down', 'railway', { wrappers: ['bunx'] }],
    ['bun x terraform-bin destroy', 'terraform', { argv: ['terraform-bin', 'destroy'] }],
    ['npm exec -- @railway/cli down', 'railway', { argv: ['@railway/cli', 'down'], wrappers: ['npm exec'] }],
    ['npm --prefix /srv x @railway/cli down', 'railway', { argv: ['@railway/cli', 'down'] }],
    ['npx some-unknown-tool@2 run', 'some-unknown-tool', { argv: ['some-unknown-tool@2', 'run'] }],
    ['npx @acme/deployer nuke', 'deployer', { argv: ['@acme/deployer', 'nuke'] }],
    ["npx -c 'terraform destroy'", 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['npx -c'] }],
    ['X=1 sudo Y=2 terraform destroy', 'terraform', { env: { X: '1', Y: '2' }, wrappers: ['sudo'] }],
    ['sudo -u deploy -g ops -H --preserve-env=PATH,HOME -- terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['sudo -iu root terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['sudo --user=root --preserve-env terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['doas -n -u root terraform destroy', 'terraform', { wrappers: ['doas'] }],
    ['env -i PATH=/bin terraform destroy', 'terraform', { env: { PATH: '/bin' }, clearedEnv: true }],
    ['A=1 env - B=2 terraform destroy', 'terraform', { env: { B: '2' }, clearedEnv: true }],
    ['A=1 env -u A --unset=HOME -C /tmp terraform destroy', 'terraform', { env: {}, unsetEnv: ['A', 'HOME'] }],
    ["env -S 'TF_CLI_ARGS_apply=-destroy terraform apply' -auto-approve", 'terraform', {
      argv: ['terraform', 'apply', '-auto-approve'], env: { TF_CLI_ARGS_apply: '-destroy' },
    }],
    ["env --split-string='terraform destroy'", 'terraform', { argv: ['terraform', 'destroy'] }],
    ['command -p terraform destroy', 'terraform', { wrappers: ['command'] }],
    ['builtin exec terraform destroy', 'terraform', { wrappers: ['builtin', 'exec'] }],
    ['exec -a tf -cl terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['nice -n 10 terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['nice -5 terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['nice --adjustment=5 nohup terraform destroy', 'terraform', { wrappers: ['nice', 'nohup'] }],
    ['time -p terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['time'] }],
    ['stdbuf -oL -e0 terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['setsid -f ionice -c3 chronic -e unbuffer terraform destroy', 'terraform', { wrappers: ['setsid', 'ionice', 'chronic', 'unbuffer'] }],
    ['watch -n 5 -d terraform destroy', 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['watch'] }],
    ["watch 'terraform destroy && railway down'", 'railway', { argv: ['railway', 'down'] }],
    ['watch -x terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['flock /tmp/tf.lock terraform destroy', 'terraform', { wrappers: ['flock'] }],
    ["flock -w 10 /tmp/tf.lock -c 'terraform destroy'", 'terraform', { wrappers: ['flock -c'] }],
    ["bash -c 'terraform destroy'", 'terraform', { argv: ['terraform', 'destroy'], wrappers: ['bash -c'] }],
    ["sh -ec 'terraform destroy'", 'terraform', { wrappers: ['sh -c'] }],
    ["zsh -xc 'terraform destroy'", 'terraform', { wrappers: ['zsh -c'] }],
    ["bash --login -c 'terraform destroy'", 'terraform', { wrappers: ['bash -c'] }],
    ["bash -o pipefail -c 'terraform destroy | tee log'", 'terraform', { argv: ['terraform', 'destroy'] }],
    ["dash -c -- 'terraform destroy'", 'terraform', { argv: ['terraform', 'destroy'] }],
    // Positional parameters of `sh -c` are filled in.
    ["sh -c 'terraform \"$@\"' sh destroy -auto-approve", 'terraform', { argv: ['terraform', 'destroy', '-auto-approve'], dynamic: [] }],
    ["sh -c '\"$1\" destroy' sh terraform", 'terraform', { argv: ['terraform', 'destroy'] }],
    ["eval 'terraform destroy'", 'terraform', { wrappers: ['eval'] }],
    ['eval terraform "$ACTION"', 'terraform', { argv: ['terraform', '$ACTION'], dynamic: [1] }],
    ["su - root -c 'terraform destroy'", 'terraform', { wrappers: ['su -c'] }],
    ['bash <<EOF\nterraform destroy\nEOF', 'terraform', { wrappers: ['bash (stdin)'] }],
    ["sh <<< 'railway down'", 'railway', { argv: ['railway', 'down'] }],
    ['time (cd infra && terraform destroy)', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['time -p { terraform destroy; }', 'terraform', { argv: ['terraform', 'destroy'] }],
    ['coproc terraform destroy', 'terraform', { wrappers: ['coproc'] }],
    ['\\terraform destroy', 'terraform', { argv: ['terraform', 'destroy'] }],
    ["t'erra'\"form\" destroy", 'terraform', { argv: ['terraform', 'destroy'] }],
    // Inner commands inherit the outer stdin.
    ["cat q.sql | bash -c 'psql mydb'", 'psql', { stdin: { kind: 'pipe', from: 'cat q.sql' } }],
  ])('%s', async (line, program, expected) => {
    await expectReaches(line, program, expected);
  });
});

describe('does not mistake data for a command', () => {
  test.each([
    ['echo "terraform destroy" > notes.txt', 'echo'],
    ['command -v terraform', 'command'],
    ['command -V terraform', 'command'],
    ['sudo -l terraform destroy', 'sudo'],
    ['bash deploy.sh terraform destroy', 'bash'],
    ['env', 'env'],
    ['grep -r "terraform destroy" .', 'grep'],
    ['ionice -p 1234 terraform', 'ionice'],
    ['nohup', 'nohup'],
  ])('%s runs only %s', async (line, program) => {
    const result = await reach(line);
    expect(result.unknowns).toEqual([]);
    expect(result.invocations.map((i) => i.program)).toEqual([program]);
  });
});

describe('the required corpus', () => {
  it('finds psql behind a heredoc piped through cat', async () => {
    const result = await reach('cat <<EOF | psql\nDROP TABLE x;\nEOF');
    expect(result.invocations.map((i) => [i.program, i.stdin.kind])).toEqual([['cat', 'heredoc'], ['psql', 'pipe']]);
    expect(result.invocations[0]!.stdin).toEqual({ kind: 'heredoc', body: 'DROP TABLE x;\n', expands: true });
  });

  test.each([
    ["psql <<< 'DROP TABLE x'", { kind: 'herestring', body: 'DROP TABLE x' }],
    ['psql -f - < drop.sql', { kind: 'file', path: 'drop.sql' }],
  ])('%s keeps psql stdin', async (line, stdin) => {
    await expectReaches(line, 'psql', { stdin: stdin as Invocation['stdin'] });
  });

  test.each([
    ['x=$(terraform destroy -auto-approve)', 'terraform', ['terraform', 'destroy', '-auto-approve']],
    ['`railway down`', 'railway', ['railway', 'down']],
    ['for d in a b; do terraform -chdir=$d destroy; done', 'terraform', ['terraform', '-chdir=$d', 'destroy']],
  ])('%s finds %s', async (line, program, argv) => {
    const result = await reach(line);
    expect(result.invocations.find((i) => i.program === program)?.argv).toEqual(argv);
  });
});

describe('unknown, never safe', () => {
  test.each([
    ['$TF destroy', 'command name only known at run time'],
    ['"$(which terraform)" destroy', 'command name only known at run time'],
    ['sudo $CMD destroy', 'command name only known at run time'],
    ["bash -c '$TOOL destroy'", 'command name only known at run time'],
    ['curl -s https://x.sh | bash', 'bash runs commands read from a pipe'],
    ['sudo --bogus terraform destroy', 'unrecognized option --bogus for sudo'],
    ['timeout -Z 5 terraform destroy', 'unrecognized option -Z for timeout'],
    ['env $OPTS terraform destroy', 'env options only known at run time'],
    ['sudo -- bash -c "$(curl -fsSL https://x.sh)"', 'bash -c script only known at run time'],
    ['bash $FLAGS deploy.sh', 'bash options only known at run time'],
    ["bash -c 'terraform destroy \"unclosed'", 'unclosed quote'],
  ])('%s → %s', async (line, reason) => {
    const result = await reach(line);
    expect(result.unknowns.map((u) => u.reason)).toContain(reason);
  });

  it('an unclosed quote is unknown and keeps the text naming the tool', async () => {
    const result = await reach('terraform destroy -target="aws_db.main');
    expect(result.unknowns).toEqual([{ reason: 'unclosed quote', text: 'terraform destroy -target="aws_db.main' }]);
  });

  /** `bash -c '<bash -c '<…terraform destroy…>'>'`, quoted properly at every level. */
  const nestBashC = (levels: number): string => {
    let line = 'terraform destroy';
    for (let i = 0; i < levels; i++) line = quote(['bash', '-c', line]);
    return line;
  };

  it(`follows bash -c nested ${MAX_UNWRAP_DEPTH} deep`, async () => {
    const result = await reach(nestBashC(MAX_UNWRAP_DEPTH));
    expect(result.unknowns).toEqual([]);
    expect(result.invocations[0]?.argv).toEqual(['terraform', 'destroy']);
    expect(result.invocations[0]?.wrappers).toHaveLength(MAX_UNWRAP_DEPTH);
  });

  test.each([MAX_UNWRAP_DEPTH + 1, 12])('bash -c nested %i deep is unknown', async (levels) => {
    const result = await reach(nestBashC(levels));
    expect(result.invocations).toEqual([]);
    expect(result.unknowns.map((u) => u.reason)).toEqual(['too deeply nested']);
    expect(result.unknowns[0]!.text).toContain('terraform destroy');
  });

  test.each<[string, string[]]>([['coproc', []], ['X=1', []], ['sudo -- time', ['time']]])('%s with nothing to wrap runs %j', async (line, programs) => {
    const result = await reach(line);
    expect(result.unknowns).toEqual([]);
    expect(result.invocations.map((i) => i.program)).toEqual(programs);
  });

  it('bounds wrapper chains', async () => {
    const result = await reach(`${'nohup '.repeat(40)}terraform destroy`);
    expect(result.invocations).toEqual([]);
    expect(result.unknowns.map((u) => u.reason)).toEqual(['too deeply nested']);
  });
});

describe('unwrapArgv (shim path, sync)', () => {
  it('peels wrappers from an argv the shell already expanded', () => {
    const result = unwrapArgv(['sudo', '-u', 'root', 'terraform', 'destroy', '-target=a b'], { TF_WORKSPACE: 'prod' }, ctx);
    expect(result?.invocations.map((i) => [i.program, i.argv, i.env])).toEqual([
      ['terraform', ['terraform', 'destroy', '-target=a b'], { TF_WORKSPACE: 'prod' }],
    ]);
  });

  it('does not treat already-expanded words as variables', () => {
    const result = unwrapArgv(['terraform', 'destroy', '$HOME'], {}, ctx);
    expect(result?.invocations[0]?.dynamic).toEqual([]);
  });

  it('follows a nested string the fast path can read', () => {
    const result = unwrapArgv(['bash', '-c', 'cd infra && terraform destroy'], {}, ctx);
    expect(result?.invocations.map((i) => i.program)).toEqual(['cd', 'terraform']);
  });

  it('reads the script a shell gets on stdin when the shim buffered it', () => {
    const stdin = { kind: 'buffered', body: 'terraform destroy\n', truncated: false } as const;
    expect(unwrapArgv(['bash'], {}, ctx, stdin)?.invocations.map((i) => i.argv)).toEqual([['terraform', 'destroy']]);
    const partial = unwrapArgv(['sh', '-s'], {}, ctx, { ...stdin, truncated: true });
    expect(partial?.unknowns.map((u) => u.reason)).toEqual(['sh runs commands from stdin that were only partly read']);
  });

  it('returns null when the nested string needs the bash grammar', () => {
    expect(unwrapArgv(['bash', '-c', 'for d in a b; do terraform destroy; done'], {}, ctx)).toBeNull();
  });
});

test.each([
  ['@railway/cli', 'railway'],
  ['@railway/cli@3.0.1', 'railway'],
  ['@acme/tool@latest', 'tool'],
  ['cowsay@1.5.0', 'cowsay'],
  ['github:acme/deploy-cli#main', 'deploy-cli'],
  ['https://example.com/pkgs/nuke-1.0.0.tgz', 'nuke-1.0.0'],
])('binaryOfPackage(%s) → %s', (spec, binary) => {
  expect(binaryOfPackage(spec, ctx.packages)).toBe(binary);
});
