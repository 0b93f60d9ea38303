// Loosening from the user layer counts only when the human signed the file with the approval passphrase
// (`blastgate policy sign`, typed on a terminal). Run as a real non-root user: its user layer is the
// getpwuid home's ~/.config/blastgate, which it can write — so everything unsigned may only tighten.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKeyFile } from '../../src/approvals/keys.js';
import { agentWorld, type AgentWorld } from '../helpers/agent-user.js';

vi.setConfig({ testTimeout: 90_000 });

const PASSPHRASE = 'the humans own passphrase';
const NEW_PASSPHRASE = 'a brand new passphrase';
const LOOSEN = 'rules:\n  "git:reset-hard": allow\n';
const agent = { CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' };

let w: AgentWorld;
const userKey = (pass: string) => w.own('.config/blastgate/approval-key.json', `${JSON.stringify(createKeyFile(pass))}\n`);
/** The human at their terminal (here: `script` gives the command a tty; the passphrase is typed into it). */
const sign = (pass: string, file = '') => w.run(`(sleep 2; printf '%s\\r' '${pass}'; sleep 3) | script -qfec "$BG policy sign ${file}" /dev/null; echo "exit=$?"`);
const resetHard = () => w.run('cd ~ && $BG check -- git reset --hard', { env: agent });

beforeEach(() => {
  w = agentWorld();
  userKey(PASSPHRASE);
  w.own('.config/blastgate/config.yaml', LOOSEN);
});
afterEach(() => w.cleanup());

describe('signed loosening', () => {
  it('unsigned: the loosening is ignored with a one-line warning on stderr', () => {
    const r = resetHard();
    expect(r.code).toBe(10);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/config\.yaml loosens the gate \(rules\.git:reset-hard: "allow"\) but it is not signed; .*blastgate policy sign/)]);
  });

  it('signed with the passphrase: it applies; changing the file voids it', () => {
    const s = sign(PASSPHRASE);
    expect(s.stdout).toMatch(/signed with approval key/);
    expect(s.stdout).toMatch(/exit=0/);
    const r = resetHard();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    // The signature carries the policy it vouches for; editing that copy breaks it.
    const sigFile = join(w.home, '.config/blastgate/config.yaml.sig');
    const good = readFileSync(sigFile, 'utf8');
    const forged = JSON.parse(good);
    forged.policy.decisions = { agent: { critical: 'allow' } };
    writeFileSync(sigFile, JSON.stringify(forged));
    expect(w.run('cd ~ && $BG check -- terraform destroy', { env: agent }).code).toBe(10);
    expect(resetHard().code).toBe(10);
    writeFileSync(sigFile, good);
    w.own(".config/blastgate/config.yaml", `${LOOSEN}# edited after signing\n`);
    const changed = resetHard();
    expect(changed.code).toBe(10);
    expect(changed.stderr).toMatch(/changed after it was signed/);
  });

  it('a wrong passphrase signs nothing', () => {
    const s = sign('not the passphrase');
    expect(s.stdout).toMatch(/wrong approval passphrase/);
    expect(resetHard().code).toBe(10);
  });

  it('a signature made before the passphrase changed is refused, and the old passphrase cannot re-sign', () => {
    expect(sign(PASSPHRASE).stdout).toMatch(/exit=0/);
    expect(resetHard().code).toBe(0);
    userKey(NEW_PASSPHRASE);
    const stale = resetHard();
    expect(stale.code).toBe(10);
    expect(stale.stderr).toMatch(/does not verify with the approval key/);
    expect(sign(PASSPHRASE).stdout).toMatch(/wrong approval passphrase/);
    expect(resetHard().code).toBe(10);
    expect(sign(NEW_PASSPHRASE).stdout).toMatch(/exit=0/);
    expect(resetHard().code).toBe(0);
  });

  it('with a root-owned system key, an agent that swaps in a user key of its own cannot sign', () => {
    w.system('approval-key.json', `${JSON.stringify(createKeyFile(PASSPHRASE))}\n`);
    userKey('agent-chosen passphrase');
    expect(sign('agent-chosen passphrase').stdout).toMatch(/wrong approval passphrase/);
    expect(resetHard().code).toBe(10);
  });

  it('a signed file cannot loosen under a locked system policy', () => {
    expect(sign(PASSPHRASE).stdout).toMatch(/exit=0/);
    w.system('config.yaml', 'locked: true\n');
    const r = resetHard();
    expect(r.code).toBe(10);
    expect(r.stderr).toMatch(/the system policy is locked/);
  });

  it('a forged config cache (the parsed form of the unsigned file, rewritten to loosen) loosens nothing', () => {
    w.own('.config/blastgate/config.yaml', 'confirm:\n  timeout: 30\n');
    expect(resetHard().code).toBe(10);
    const cacheDir = join(w.home, '.local/state/blastgate/cache');
    const caches = readdirSync(cacheDir).filter((f) => /^config-.*\.json$/.test(f));
    expect(caches.length).toBe(1);
    writeFileSync(join(cacheDir, caches[0]!), JSON.stringify({ rules: { 'git:reset-hard': 'allow' }, decisions: { agent: { medium: 'allow', high: 'allow', critical: 'allow' } } }));
    expect(resetHard().code).toBe(10);
    expect(w.run('cd ~ && $BG check -- terraform destroy', { env: agent }).code).toBe(10);
  });
});

describe('additive user rules', () => {
  it('a user file that only adds a rule passes `rules test` and `check` fires it', () => {
    const file = w.own('.config/blastgate/rules/team.yaml', `tool: terraform
binaries: [terraform]
rules:
  - id: terraform:team-workspace-delete
    severity: high
    message: Deletes a workspace of the team.
    match: { command: [workspace, delete] }
    examples: { match: [terraform workspace delete team], no-match: [terraform workspace list] }
`);
    const t = w.run(`$BG rules test ${file}`, { env: agent });
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/2 passed, 0 failed/);
    const c = w.run('cd ~ && $BG check -- terraform workspace delete team', { env: agent });
    expect(c.code, c.stderr).toBe(10);
    expect(c.stdout).toMatch(/terraform:team-workspace-delete/);
  });
});
