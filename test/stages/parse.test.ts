import { describe, expect, it, test } from 'vitest';
import { decodeAnsiC, parseWithBashGrammar, substitutionsIn } from '../../src/stages/bash-syntax.js';
import { exportedBefore, parseLine, parseSimple } from '../../src/stages/parse.js';
import type { SimpleCommand, StdinSource } from '../../src/types.js';

/** The parts of a command a later stage looks at; omitted keys are not checked. */
type Expected = Partial<Pick<SimpleCommand, 'argv' | 'assignments' | 'redirects' | 'stdin' | 'dynamic' | 'text'>>;

const pick = (cmd: SimpleCommand, expected: Expected): Expected =>
  Object.fromEntries(Object.keys(expected).map((key) => [key, cmd[key as keyof Expected]]));

async function expectCommands(line: string, expected: Expected[]): Promise<void> {
  const parsed = await parseLine(line);
  expect(parsed.unknowns).toEqual([]);
  expect(parsed.commands.map((cmd, i) => pick(cmd, expected[i] ?? {}))).toEqual(expected);
}

const inherit: StdinSource = { kind: 'inherit' };

describe('fast path (shell-quote)', () => {
  test.each<[string, Expected[]]>([
    ['terraform plan', [{ argv: ['terraform', 'plan'], stdin: inherit, dynamic: [] }]],
    ['echo "terraform destroy" > notes.txt', [{ argv: ['echo', 'terraform destroy'], redirects: [{ op: '>', target: 'notes.txt' }] }]],
    ['psql -f - < drop.sql', [{ argv: ['psql', '-f', '-'], stdin: { kind: 'file', path: 'drop.sql' } }]],
    ['cat drop.sql | psql mydb', [{ argv: ['cat', 'drop.sql'] }, { argv: ['psql', 'mydb'], stdin: { kind: 'pipe', from: 'cat drop.sql' } }]],
    ['a |& b', [{ argv: ['a'] }, { argv: ['b'], stdin: { kind: 'pipe', from: 'a' } }]],
    ['a && b || c; d & e', [{ argv: ['a'] }, { argv: ['b'] }, { argv: ['c'] }, { argv: ['d'] }, { argv: ['e'] }]],
    ['terraform plan 2>&1 | tee log', [
      { argv: ['terraform', 'plan'], redirects: [{ op: '2>&', target: '1' }] },
      { argv: ['tee', 'log'], stdin: { kind: 'pipe', from: 'terraform plan 2>&1' } },
    ]],
    // A digit is only a file descriptor when it touches the operator.
    ['echo 2>f', [{ argv: ['echo'], redirects: [{ op: '2>', target: 'f' }] }]],
    ['echo 2 >f', [{ argv: ['echo', '2'], redirects: [{ op: '>', target: 'f' }] }]],
    ['cmd &>log 0<in', [{ argv: ['cmd'], redirects: [{ op: '&>', target: 'log' }, { op: '0<', target: 'in' }], stdin: { kind: 'file', path: 'in' } }]],
    // Words after a redirect still belong to the command.
    ['terraform >/dev/null destroy -auto-approve', [{ argv: ['terraform', 'destroy', '-auto-approve'] }]],
    ['X=1 Y="a b" cmd $HOME "${X}y" *.sql', [{
      argv: ['cmd', '$HOME', '${X}y', '*.sql'], assignments: { X: '1', Y: 'a b' }, dynamic: [1, 2, 3],
    }]],
    ['TF_CLI_ARGS_apply=-destroy terraform apply', [{ argv: ['terraform', 'apply'], assignments: { TF_CLI_ARGS_apply: '-destroy' } }]],
    // Escaped or single-quoted `$` is plain text, not a variable.
    ["echo \"\\$x\" '$y' \\$z", [{ argv: ['echo', '$x', '$y', '$z'], dynamic: [] }]],
    ["psql -c 'DROP TABLE \"Orders\"'", [{ argv: ['psql', '-c', 'DROP TABLE "Orders"'] }]],
    ['a "b"c\'d\' e\\ f', [{ argv: ['a', 'bcd', 'e f'] }]],
    ['terraform \\\n  destroy', [{ argv: ['terraform', 'destroy'], text: 'terraform \\\n  destroy' }]],
    ['a\nb |\n  c', [{ argv: ['a'] }, { argv: ['b'] }, { argv: ['c'], stdin: { kind: 'pipe', from: 'b' } }]],
    ['a;', [{ argv: ['a'] }]],
    // An assignment alone is kept: a later `$X` as a command name may be read from it.
    ['X=1', [{ argv: [], assignments: { X: '1' } }]],
    ['', []],
  ])('%j', async (line, expected) => {
    expect(parseSimple(line)?.parser).toBe('shell-quote');
    await expectCommands(line, expected);
  });
});

describe('lines the fast path hands to the bash grammar', () => {
  test.each([
    ['heredoc', 'cat <<EOF\nx\nEOF'],
    ['here-string', "psql <<< 'DROP TABLE x'"],
    ['command substitution', 'echo $(whoami)'],
    ['backticks', 'echo `whoami`'],
    ['escaped backtick (shell-quote keeps the backslash)', 'echo "a\\`b"'],
    ['subshell', '(cd infra && terraform destroy)'],
    ['group', '{ terraform destroy; }'],
    ['if', 'if true; then terraform destroy; fi'],
    ['for', 'for d in a b; do terraform destroy; done'],
    ['while', 'while true; do x; done'],
    ['case', 'case $x in a) b;; esac'],
    ['function keyword', 'function f { x; }'],
    ['process substitution', 'diff <(ls a) b'],
    ['ANSI-C string', "echo $'a\\nb'"],
    ['comment', 'terraform plan # destroy later'],
    ['# inside a word (shell-quote reads a comment)', 'echo a#b'],
    ['escaped glob (shell-quote still globs it)', 'rm \\*.sql'],
    ['bracket glob', 'rm [ab].sql'],
    ['negation', '! terraform destroy'],
    ['rich parameter expansion', 'echo ${X:-default}'],
    ['lone dollar', 'echo cost $'],
    ['unclosed double quote', 'echo "abc'],
    ['unclosed single quote', "echo 'abc"],
    ['empty command between separators', 'a; ; b'],
    ['trailing pipe', 'a |'],
    ['keyword after separator', 'true; then x'],
  ])('%s', async (_name, line) => {
    expect(parseSimple(line)).toBeNull();
    expect((await parseLine(line)).parser).toBe('tree-sitter-bash');
  });
});

describe('bash grammar', () => {
  test.each<[string, Expected[]]>([
    ['cat <<EOF | psql\nDROP TABLE x;\nEOF', [
      { argv: ['cat'], stdin: { kind: 'heredoc', body: 'DROP TABLE x;\n', expands: true }, text: 'cat <<EOF' },
      { argv: ['psql'], stdin: { kind: 'pipe', from: 'cat <<EOF' } },
    ]],
    ["psql <<'EOF'\nDROP $x;\nEOF", [{ argv: ['psql'], stdin: { kind: 'heredoc', body: 'DROP $x;\n', expands: false } }]],
    ['psql <<"EOF"\nx\nEOF', [{ stdin: { kind: 'heredoc', body: 'x\n', expands: false } }]],
    ['psql <<-EOF\n\t\tDROP TABLE x;\n\tEOF', [{ redirects: [{ op: '<<-', target: 'EOF' }], stdin: { kind: 'heredoc', body: 'DROP TABLE x;\n', expands: true } }]],
    ['psql <<EOF\n  DROP TABLE x;\nEOF', [{ stdin: { kind: 'heredoc', body: '  DROP TABLE x;\n', expands: true } }]],
    ['cat <<EOF > f && psql\nx\nEOF', [
      { argv: ['cat'], redirects: [{ op: '<<', target: 'EOF' }, { op: '>', target: 'f' }] },
      { argv: ['psql'], stdin: inherit },
    ]],
    ['cat <<EOF | psql && echo ok\nx\nEOF', [{ argv: ['cat'] }, { argv: ['psql'], stdin: { kind: 'pipe', from: 'cat <<EOF' } }, { argv: ['echo', 'ok'], stdin: inherit }]],
    ["psql <<< 'DROP TABLE x'", [{ argv: ['psql'], stdin: { kind: 'herestring', body: 'DROP TABLE x' } }]],
    ['psql < <(cat drop.sql)', [{ argv: ['cat', 'drop.sql'] }, { argv: ['psql'], stdin: { kind: 'pipe', from: 'cat drop.sql' } }]],
    ['x=$(terraform destroy -auto-approve)', [{ argv: ['terraform', 'destroy', '-auto-approve'] }]],
    ['echo "result: $(terraform destroy)"', [{ argv: ['terraform', 'destroy'] }, { argv: ['echo', 'result: $(terraform destroy)'], dynamic: [1] }]],
    // The output of the substitution is itself run as a command: its name is only known at run time.
    ['`railway down`', [{ argv: ['railway', 'down'] }, { argv: ['`railway down`'], dynamic: [0] }]],
    // The loop variable is recorded as set at run time (so `$d` is never resolved from another assignment).
    ['for d in a b; do terraform -chdir=$d destroy; done', [{ argv: [], assignments: { d: '$(for)' } }, { argv: ['terraform', '-chdir=$d', 'destroy'], dynamic: [1] }]],
    ['for f in $(ls); do rm "$f"; done', [{ argv: [], assignments: { f: '$(for)' } }, { argv: ['ls'] }, { argv: ['rm', '$f'], dynamic: [1] }]],
    ['while read l; do psql; done < queries.sql', [
      { argv: ['read', 'l'], stdin: { kind: 'file', path: 'queries.sql' } },
      { argv: ['psql'], stdin: { kind: 'file', path: 'queries.sql' } },
    ]],
    ['cat q.sql | while read l; do psql -c "$l"; done', [
      { argv: ['cat', 'q.sql'] },
      { argv: ['read', 'l'], stdin: { kind: 'pipe', from: 'cat q.sql' } },
      { argv: ['psql', '-c', '$l'], stdin: { kind: 'pipe', from: 'cat q.sql' }, dynamic: [2] },
    ]],
    ['if [ -n "$(kubectl get ns)" ]; then terraform destroy; elif y; then z; else rm -rf x; fi', [
      { argv: ['kubectl', 'get', 'ns'] }, { argv: ['terraform', 'destroy'] }, { argv: ['y'] }, { argv: ['z'] }, { argv: ['rm', '-rf', 'x'] },
    ]],
    ['case "$1" in prod) terraform destroy ;; *) echo no ;; esac', [{ argv: ['terraform', 'destroy'] }, { argv: ['echo', 'no'] }]],
    ['nuke() { terraform destroy -auto-approve; }', [{ argv: ['terraform', 'destroy', '-auto-approve'] }]],
    ['function nuke {\n  railway down\n}', [{ argv: ['railway', 'down'] }]],
    ['(cd infra && terraform destroy) & { kubectl delete ns x; }', [
      { argv: ['cd', 'infra'] }, { argv: ['terraform', 'destroy'] }, { argv: ['kubectl', 'delete', 'ns', 'x'] },
    ]],
    ['! terraform destroy | grep x', [{ argv: ['terraform', 'destroy'] }, { argv: ['grep', 'x'], stdin: { kind: 'pipe', from: '! terraform destroy' } }]],
    ['diff <(kubectl get ns) >(tee log)', [{ argv: ['kubectl', 'get', 'ns'] }, { argv: ['tee', 'log'] }, { argv: ['diff', '<(kubectl get ns)', '>(tee log)'], dynamic: [1, 2] }]],
    ['terraform plan # terraform destroy', [{ argv: ['terraform', 'plan'] }]],
    ["echo $'DROP\\tTABLE' $\"hi\" 'it''s' a\\ b \"q\\\"q\"", [{ argv: ['echo', 'DROP\tTABLE', 'hi', 'its', 'a b', 'q"q'], dynamic: [] }]],
    // Globs and brace expansion change the words at run time.
    ['terraform des{troy,} {1..3} [ab] \\*.sql \'*.sql\'', [{ argv: ['terraform', 'des{troy,}', '{1..3}', '[ab]', '*.sql', '*.sql'], dynamic: [1, 2, 3] }]],
    ['export TF_CLI_ARGS_apply=-destroy A=$(whoami)', [{ argv: ['whoami'] }, { argv: ['export', 'TF_CLI_ARGS_apply=-destroy', 'A=$(whoami)'], dynamic: [2] }]],
    ['a <f b | c >g d', [
      { argv: ['a', 'b'], stdin: { kind: 'file', path: 'f' } },
      { argv: ['c', 'd'], redirects: [{ op: '>', target: 'g' }], stdin: { kind: 'pipe', from: 'a <f b' } },
    ]],
    ['echo "héllo 😀" | psql -c "$(cat q.sql)"', [
      { argv: ['echo', 'héllo 😀'] }, { argv: ['cat', 'q.sql'] }, { argv: ['psql', '-c', '$(cat q.sql)'], dynamic: [2] },
    ]],
  ])('%j', async (line, expected) => {
    await expectCommands(line, expected);
  });

  it('runs the command substitutions inside an unquoted heredoc body, even on an indented line', async () => {
    const parsed = await parseLine('cat <<EOF\n  $(terraform destroy) `railway down` \\$(not run)\nEOF');
    expect(parsed.commands.map((c) => c.argv)).toEqual([['terraform', 'destroy'], ['railway', 'down'], ['cat']]);
  });

  it('does not run substitutions inside a quoted heredoc body', async () => {
    const parsed = await parseLine("cat <<'EOF'\n$(terraform destroy)\nEOF");
    expect(parsed.commands.map((c) => c.argv)).toEqual([['cat']]);
  });

  it('parses lines shell-quote could have parsed the same way', async () => {
    const lines = [
      'X=1 Y="a b" cmd $HOME "${X}y" *.sql',
      'terraform plan 2>&1 | tee log && echo "done $USER" || true; sleep 1 &',
      "psql -c 'DROP TABLE x' -h db < in.sql",
      'a \\\n b',
      'echo 2>f 2 >g',
    ];
    for (const line of lines) {
      const fast = parseSimple(line);
      const bash = await parseWithBashGrammar(line);
      expect(fast, line).not.toBeNull();
      expect(bash.unknowns, line).toEqual([]);
      expect(bash.commands, line).toEqual(fast!.commands);
    }
  });
});

describe('unknowns', () => {
  test.each([
    ['echo "unclosed', 'unclosed quote', 'echo "unclosed'],
    ["terraform destroy 'x", 'unclosed quote', "terraform destroy 'x"],
    ['ok\nterraform destroy "x', 'unclosed quote', 'terraform destroy "x'],
    ['terraform destroy |', 'incomplete shell syntax', 'terraform destroy |'],
    ['echo $(terraform destroy', 'incomplete shell syntax', 'echo $(terraform destroy'],
    ['cat <<EOF\nterraform destroy', 'shell syntax that could not be parsed', 'cat <<EOF\nterraform destroy'],
    ['if true; then terraform destroy', 'shell syntax that could not be parsed', 'if true; then terraform destroy'],
    // tree-sitter-bash misreads a second heredoc after `;` on the same line: caught, not dropped.
    ['cat <<EOF; psql <<E2\na\nEOF\nDROP TABLE x;\nE2', 'heredoc could not be parsed', 'psql <<E2'],
  ])('%j → %s', async (line, reason, textPart) => {
    const parsed = await parseLine(line);
    const unknown = parsed.unknowns.find((u) => u.reason.startsWith(reason));
    expect(unknown, JSON.stringify(parsed.unknowns)).toBeDefined();
    expect(unknown!.text).toContain(textPart);
  });

  it('keeps the commands it did recognise next to the unknown', async () => {
    const parsed = await parseLine('terraform destroy "unclosed');
    expect(parsed.commands[0]?.argv).toEqual(['terraform', 'destroy']);
    expect(parsed.unknowns).toHaveLength(1);
  });
});

describe('exportedBefore', () => {
  test.each<[string, Array<Record<string, string>>]>([
    ['export TF_CLI_ARGS_apply=-destroy; terraform apply', [{}, { TF_CLI_ARGS_apply: '-destroy' }]],
    ['export A=1 B && declare -x C=3 && typeset -x D=4\nterraform apply', [{}, { A: '1', B: '$B' }, { A: '1', B: '$B', C: '3' }, { A: '1', B: '$B', C: '3', D: '4' }]],
    ['terraform apply; export A=1', [{}, {}]],
    ['declare C=3; local D=4; terraform apply', [{}, {}, {}]],
  ])('%j', async (line, expected) => {
    expect(exportedBefore((await parseLine(line)).commands)).toEqual(expected);
  });
});

describe('helpers', () => {
  test.each([
    ['a\\tb', 'a\tb'],
    ['\\x41\\101\\u00e9\\U0001F600', 'AAé😀'],
    ["it\\'s \\\\ \\\"", 'it\'s \\ "'],
    ['\\cA\\e', '\x01\x1b'],
    ['\\q', '\\q'],
  ])('decodeAnsiC(%j)', (body, expected) => {
    expect(decodeAnsiC(body)).toBe(expected);
  });

  test.each<[string, string[] | null]>([
    ['a $(b "c)") d', ['b "c)"']],
    ['$(a $(b)) `c`', ['a $(b)', 'c']],
    ['\\$(no) $((1 + 2))', []],
    ['$((1 + $(b)))', ['b']],
    ['$(open', null],
    ['`open', null],
  ])('substitutionsIn(%j)', (text, expected) => {
    expect(substitutionsIn(text)).toEqual(expected);
  });
});
