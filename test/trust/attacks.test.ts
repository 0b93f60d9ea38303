// Issue 9's attacks, replayed by a real non-root agent user (same uid as "its" human, CLAUDECODE=1, no
// terminal) against a root-owned /etc/blastgate with `locked: true` and a system approval key. Each one
// used to destroy real terraform state; now the state must still hold its resource afterwards.
import { chownSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyFile } from '../../src/approvals/keys.js';
import { agentWorld, type AgentWorld } from '../helpers/agent-user.js';

vi.setConfig({ testTimeout: 120_000 });

const PASSPHRASE = 'the humans own passphrase';
const AGENT_PASS = 'agent-chosen passphrase';

/** The ruleset from the issue, verbatim: replaces terraform:destroy with a rule that never fires. */
const REPLACING_RULES = `tool: terraform
binaries: [terraform]
grammar: {style: go, valueFlags: [], aliases: {}, envArgs: []}
rules:
- id: terraform:destroy
  severity: low
  message: x
  match: {command: [never]}
  examples: {match: [terraform never], no-match: [terraform destroy]}
`;

const LOOSE_CONFIG = 'locked: false\ndecisions:\n  agent: { low: allow, medium: allow, high: allow, critical: allow }\n  human: { low: allow, medium: allow, high: allow, critical: allow }\nrules:\n  "terraform:*": allow\n';

let w: AgentWorld;
const agentEnv = { CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0', TF_IN_AUTOMATION: '1', INFRA: '/home/bgt-trust/infra' };

/** A terraform workspace the agent owns, with one applied terraform_data resource. */
const INFRA = 'cd ~/infra && terraform init -input=false -no-color >/dev/null && terraform apply -auto-approve -input=false -no-color >/dev/null';
const stateResources = (): string[] => {
  const state = JSON.parse(readFileSync(join(w.home, 'infra', 'terraform.tfstate'), 'utf8')) as { resources: Array<{ type: string; name: string }> };
  return state.resources.map((r) => `${r.type}.${r.name}`);
};

/** The agent's attempt: the command as a shim would hand it to blastgate, then the hook's opinion of it. */
const DESTROY = 'cd "$INFRA" && $BG run -- terraform destroy -auto-approve -input=false -no-color; echo "exit=$?"';

beforeEach(() => {
  w = agentWorld();
  w.system('config.yaml', 'locked: true\nconfirm:\n  timeout: 15\n');
  w.system('approval-key.json', `${JSON.stringify(createKeyFile(PASSPHRASE))}\n`);
  w.own('infra/main.tf', 'resource "terraform_data" "db" {\n  input = "precious"\n}\n');
  const setup = w.run(INFRA, { env: agentEnv });
  expect(setup.code, setup.stderr).toBe(0);
  expect(stateResources()).toEqual(['terraform_data.db']);
});
afterEach(() => w.cleanup());

describe('1. a file the agent writes cannot replace a built-in rule', () => {
  it('~/.config/blastgate/rules/tf.yaml redefining terraform:destroy: destroy refused, state intact, the file named with its line', () => {
    w.own('.config/blastgate/rules/tf.yaml', REPLACING_RULES);
    const r = w.run(DESTROY, { env: agentEnv });
    expect(r.stdout).toMatch(/exit=77/);
    expect(r.stderr).toMatch(/tf\.yaml:5: rule id "terraform:destroy" is already defined/);
    expect(stateResources()).toEqual(['terraform_data.db']);
    const hook = w.run(`echo '{"tool_name":"Bash","tool_input":{"command":"terraform destroy -auto-approve"}}' | $BG hook claude-code`, { env: agentEnv });
    expect(hook.stdout).toMatch(/"permissionDecision":"(ask|deny)"/);
    const test = w.run('$BG rules test ~/.config/blastgate/rules/tf.yaml', { env: agentEnv });
    expect(test.code).toBe(2);
    expect(test.stderr).toMatch(/tf\.yaml:5: .*terraform:destroy/);
    const check = w.run('$BG check -- terraform destroy', { env: agentEnv });
    expect(check.code).toBe(2);
  });

  it('the same file under XDG_CONFIG_HOME=/agent/dir: refused, state intact', () => {
    const dir = w.agentDir('xdg');
    writeFileSync(join(dir, 'tf.yaml'), REPLACING_RULES);
    const r = w.run(`mkdir -p ${dir}/blastgate/rules && mv ${dir}/tf.yaml ${dir}/blastgate/rules/ && ${DESTROY}`, { env: { ...agentEnv, XDG_CONFIG_HOME: dir } });
    expect(r.stdout).toMatch(/exit=77/);
    expect(stateResources()).toEqual(['terraform_data.db']);
  });

  it('a forged compiled-rules cache (origin "builtin", terraform:destroy low) is not believed', () => {
    w.own('.config/blastgate/rules/mine.yaml', REPLACING_RULES.replace(/terraform:destroy/, 'terraform:my-note').replace('[never]', '[mynote]').replace('terraform never', 'terraform mynote'));
    expect(w.run('$BG check -- terraform mynote', { env: agentEnv }).code).not.toBe(2);
    const cacheDir = join(w.home, '.local/state/blastgate/cache');
    const caches = readdirSync(cacheDir).filter((f) => /^rules-.*\.json$/.test(f));
    expect(caches.length).toBeGreaterThan(0);
    for (const f of caches) {
      const set = JSON.parse(readFileSync(join(cacheDir, f), 'utf8'));
      set.origin = 'builtin';
      set.rules = [{ ...set.rules[0], id: 'terraform:destroy', severity: 'low', match: { command: ['never'] } }];
      writeFileSync(join(cacheDir, f), JSON.stringify(set));
    }
    const r = w.run(DESTROY, { env: agentEnv });
    expect(r.stdout).toMatch(/exit=77/);
    expect(stateResources()).toEqual(['terraform_data.db']);
  });

  it('HOME=/agent/dir (XDG unset) with a loosening config.yaml: not a user layer, cannot loosen (even with no lock)', () => {
    w.system('config.yaml', 'confirm:\n  timeout: 15\n');
    const dir = w.agentDir('home');
    const r = w.run(`mkdir -p ${dir}/.config/blastgate && printf '%s' '${LOOSE_CONFIG}' > ${dir}/.config/blastgate/config.yaml && ${DESTROY}`, { env: { ...agentEnv, HOME: dir } });
    expect(r.stdout).toMatch(/exit=77/);
    expect(stateResources()).toEqual(['terraform_data.db']);
  });
});

describe('BLASTGATE_SYSTEM_DIR=/agent/dir', () => {
  it('drops neither the lock nor the system key: the agent\'s own key cannot approve its own request', () => {
    const dir = w.agentDir('sys');
    writeFileSync(join(dir, 'config.yaml'), LOOSE_CONFIG);
    writeFileSync(join(dir, 'approval-key.json'), `${JSON.stringify(createKeyFile(AGENT_PASS))}\n`);
    for (const f of ['config.yaml', 'approval-key.json']) chownSync(join(dir, f), w.user.uid, w.user.gid);
    // Request it, find the pending id, and "approve" it through a terminal the agent made, typing its own passphrase.
    const script = [
      'cd ~/infra',
      '($BG run -- terraform destroy -auto-approve -input=false -no-color > ~/run.out 2>&1; echo "exit=$?" >> ~/run.out) &',
      'for i in $(seq 1 100); do id=$($BG pending --json 2>/dev/null | grep -o \'"id":"[^"]*"\' | head -1 | cut -d\\" -f4); [ -n "$id" ] && break; sleep 0.2; done',
      'echo "pending=$id"',
      `(sleep 3; printf '%s\\r' '${AGENT_PASS}'; sleep 2; printf '%s\\r' '${AGENT_PASS}'; sleep 2; printf '%s\\r' '${AGENT_PASS}'; sleep 2) | env -u CLAUDECODE script -qfec "$BG approve $id" /dev/null; echo "approve=$?"`,
      'wait; cat ~/run.out',
    ].join('\n');
    const r = w.run(script, { env: { ...agentEnv, BLASTGATE_SYSTEM_DIR: dir, BLASTGATE_APPROVAL_WAIT: '15' } });
    expect(r.stdout).toMatch(/pending=\S+/);
    expect(r.stdout).not.toMatch(/approve=0/);
    expect(r.stdout).toMatch(/exit=77/);
    expect(stateResources()).toEqual(['terraform_data.db']);
  });
});

describe('2. switching the gate off', () => {
  beforeEach(() => {
    const init = w.run('$BG shims rehash --dir ~/shims >/dev/null 2>&1 || $BG init --yes --no-shell-rc --dir ~/shims >/dev/null 2>&1; ls ~/shims', { env: agentEnv });
    expect(init.stdout).toMatch(/terraform/);
  });

  it('`blastgate uninstall` and `blastgate shims remove` from the agent are refused; the shims stay', () => {
    const un = w.run('$BG uninstall --dir ~/shims', { env: agentEnv });
    expect(un.code).toBe(77);
    expect(un.stderr).toMatch(/approval passphrase/);
    const rm = w.run('$BG shims remove --dir ~/shims', { env: agentEnv });
    expect(rm.code).toBe(77);
    expect(w.run('ls ~/shims', { env: agentEnv }).stdout).toMatch(/terraform/);
  });

  it('disguised as a human on a terminal of its own, a guessed passphrase is refused', () => {
    const r = w.run(`(sleep 3; printf 'letmein-please\\r'; sleep 2) | env -u CLAUDECODE script -qfec "$BG uninstall --dir ~/shims" /dev/null; echo "exit=$?"; ls ~/shims`, { env: agentEnv });
    expect(r.stdout).toMatch(/wrong approval passphrase/);
    expect(r.stdout).toMatch(/terraform/);
  });

  it('doctor says the agent could alter its shims and points to a root-owned install', () => {
    const r = w.run('$BG doctor --dir ~/shims', { env: agentEnv });
    expect(r.stdout).toMatch(/can be changed by you, so by an agent running as you/);
    expect(r.stdout).toMatch(/sudo blastgate init --dir/);
  });
});

describe('3. passing as a human', () => {
  it('the double-fork disguise typing the target name through `script` now also needs the passphrase: refused, state intact', () => {
    const script = [
      'cd ~/infra',
      `env -u CLAUDECODE setsid -f sh -c '(sleep 5; printf "infra\\r"; sleep 2; printf "infra\\r"; sleep 2) | script -qfec "$BG run -- terraform destroy -auto-approve -input=false -no-color" /dev/null > ~/disguise.out 2>&1; echo "exit=$?" >> ~/disguise.out'`,
      'for i in $(seq 1 300); do grep -q "^exit=" ~/disguise.out 2>/dev/null && break; sleep 0.2; done',
      'cat ~/disguise.out',
    ].join('\n');
    const r = w.run(script, { env: agentEnv });
    expect(r.stdout).toMatch(/Approval passphrase/);
    expect(r.stdout).toMatch(/not run/);
    expect(stateResources()).toEqual(['terraform_data.db']);
  });
});
