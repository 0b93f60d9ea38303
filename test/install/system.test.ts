// `blastgate init --system` / `uninstall --system` as root inside a private mount namespace (/etc is an
// overlay with a temp upper dir, tmpfs over /usr/local/lib and /var/log, so the host is never touched),
// then a real non-root user, bgt-install, tries to change what the gate stands on: the shims, the
// policy, the key, the log and the login PATH. doctor, run as that user, calls the setup healthy and
// names a hole with its fix; uninstall removes exactly what init wrote.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFile } from '../../src/approvals/keys.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'blastgate.js');
const USER = 'bgt-install';
const SHIMS = '/usr/local/lib/blastgate/shims';
const T = 180_000;

const ensureUser = () => {
  if (spawnSync('getent', ['passwd', USER]).status === 0) return;
  const r = spawnSync('useradd', ['--create-home', '--shell', '/bin/bash', '--user-group', USER], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 9) throw new Error(`useradd: ${r.stderr}`);
};

let root: string;
let results: Record<string, string>;
const out = (name: string) => readFileSync(join(root, 'out', name), 'utf8');

// Each step: `step NAME command…` records its exit code as results[NAME] and its output in out/NAME.
const SCRIPT = String.raw`
set -u
R="$1"; BIN="$2"; U="$3"; KEY="$4"
mkdir -p "$R/ns" "$R/out"
mount -t tmpfs tmpfs "$R/ns" && mkdir -p "$R/ns/up" "$R/ns/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$R/ns/up,workdir=$R/ns/work" /etc
mount -t tmpfs -o mode=0755 tmpfs /usr/local/lib
# blastgate itself where a system install puts it: root's all the way up (the checkout may live under /tmp).
mkdir -p /usr/local/lib/blastgate-pkg && mount --bind "$(dirname "$(dirname "$BIN")")" /usr/local/lib/blastgate-pkg
BIN=/usr/local/lib/blastgate-pkg/bin/blastgate.js
mount -t tmpfs -o mode=0755 tmpfs /var/log
UH=$(getent passwd "$U" | cut -d: -f6)
mount -t tmpfs -o "mode=0755,uid=$(id -u "$U"),gid=$(id -g "$U")" tmpfs "$UH"
export HOME="$R/roothome" XDG_STATE_HOME="$R/roothome/state"
mkdir -p "$HOME"
step() { n="$1"; shift; "$@" >"$R/out/$n" 2>&1; echo "$n $?" >>"$R/out/results"; }
as() { runuser -u "$U" -- env -i PATH=/usr/bin:/bin HOME="$UH" sh -c "$1"; }
login() { runuser -l "$U" -c "$1"; }

step init1 setsid -w node "$BIN" init --system --yes </dev/null
step init2 setsid -w node "$BIN" init --system --yes </dev/null
cp /etc/blastgate/installed.json "$R/out/manifest1"

step w_shim as "echo evil > $SHIMS/terraform"
step rm_shim as "rm -f $SHIMS/terraform"
step add_shim as "touch $SHIMS/newtool"
step w_policy as "echo 'locked: false' > /etc/blastgate/config.yaml"
step mv_policy as "mv /etc/blastgate/config.yaml /tmp/stolen.yaml"
step add_policy as "echo 'locked: false' > /etc/blastgate/config.json"
step w_profile as "echo 'PATH=/usr/bin' > /etc/profile.d/blastgate.sh"
step trunc_log as ": > /var/log/blastgate/audit.jsonl"
step rm_log as "rm -f /var/log/blastgate/audit.jsonl"
step login_path login 'echo "$PATH"'
step login_which login 'command -v terraform'
step refused login 'cd "$(mktemp -d)" && CLAUDECODE=1 BLASTGATE_APPROVAL_WAIT=0 terraform destroy -auto-approve </dev/null'
cp /var/log/blastgate/audit.jsonl "$R/out/syslog"
step doctor_nokey login "node $BIN doctor --json"

install -o root -g root -m 0644 "$KEY" /etc/blastgate/approval-key.json
step w_key as "echo '{}' > /etc/blastgate/approval-key.json"
step doctor_ok login "node $BIN doctor --json"
chmod o+w /etc/blastgate/config.yaml
step doctor_hole login "node $BIN doctor --json"
chmod o-w /etc/blastgate/config.yaml
step uninstall_notty setsid -w node "$BIN" uninstall --system </dev/null
[ -e /etc/profile.d/blastgate.sh ]; echo "profile_after_refusal $?" >>"$R/out/results"

rm /etc/blastgate/approval-key.json
step uninstall setsid -w node "$BIN" uninstall --system </dev/null
for p in /etc/profile.d/blastgate.sh /etc/blastgate/config.yaml /etc/blastgate/installed.json "$SHIMS" /usr/local/lib/blastgate /etc/blastgate /var/log/blastgate/audit.jsonl; do
  [ -e "$p" ]; echo "exists:$p $?" >>"$R/out/results"
done
`.replace(/\$SHIMS/g, SHIMS);

beforeAll(() => {
  ensureUser();
  root = mkdtempSync(join(tmpdir(), 'bg-system-'));
  chmodSync(root, 0o755);
  const key = join(root, 'key.json');
  writeFileSync(key, JSON.stringify(createKeyFile('correct horse battery staple')));
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', SCRIPT, 'ns', root, BIN, USER, key], { encoding: 'utf8', timeout: T });
  if (r.status !== 0) throw new Error(`namespace script failed (${r.status}): ${r.stderr}`);
  results = Object.fromEntries(readFileSync(join(root, 'out', 'results'), 'utf8').trim().split('\n').map((l) => l.split(' ') as [string, string]));
}, T);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const doctor = (name: string) => JSON.parse(out(name)) as { ok: boolean; dir: string; checks: Array<{ id: string; status: string; message: string; fix?: string }> };

describe('blastgate init --system', () => {
  it('installs as root and a second run changes nothing', () => {
    expect(results.init1, out('init1')).toBe('0');
    expect(out('init1')).toMatch(/^written\s+\/etc\/profile\.d\/blastgate\.sh$/m);
    expect(out('init1')).toMatch(/^skipped\s+sudoers: visudo not found/m);
    expect(out('init1')).toMatch(/append-only\)/);
    expect(out('init1')).toMatch(/^later\s+.*sudo blastgate passphrase set --system/m);
    expect(results.init2).toBe('0');
    expect(out('init2')).not.toMatch(/^written/m);
    expect(out('init2')).toMatch(/^unchanged\s+\/etc\/blastgate\/config\.yaml$/m);
    expect(JSON.parse(out('manifest1')).files.map((f: { path: string }) => f.path).sort()).toEqual(['/etc/blastgate/config.yaml', '/etc/profile.d/blastgate.sh']);
  });

  it('puts the root-owned shims first on a login shell\'s PATH', () => {
    expect(out('login_path').trim().split(':')[0]).toBe(SHIMS);
    expect(out('login_which').trim()).toBe(`${SHIMS}/terraform`);
  });

  it('the agent user cannot write, replace, add or remove the shims, the policy, the profile or the key', () => {
    for (const step of ['w_shim', 'rm_shim', 'add_shim', 'w_policy', 'mv_policy', 'add_policy', 'w_profile', 'w_key']) {
      expect(results[step], `${step}: ${out(step)}`).not.toBe('0');
      expect(out(step)).toMatch(/Permission denied|Operation not permitted/);
    }
  });

  it('the agent user cannot truncate or delete the audit log, and its refused command is in it with its uid', () => {
    expect(results.trunc_log).not.toBe('0');
    expect(results.rm_log).not.toBe('0');
    expect(results.refused, out('refused')).toBe('77');
    const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
    const records = out('syslog').trim().split('\n').map((l) => JSON.parse(l) as { uid: number; user: string; record: { argv?: string[]; decision?: string } });
    expect(records.some((r) => r.uid === uid && r.user === USER && r.record.argv?.join(' ') === 'terraform destroy -auto-approve' && r.record.decision !== 'allow')).toBe(true);
  });

  it('doctor as the agent user: healthy once the key is set; names the missing key and a writable policy with fixes', () => {
    const noKey = doctor('doctor_nokey');
    expect(noKey.checks.find((c) => c.id === 'system:key')).toMatchObject({ status: 'fail', fix: 'sudo blastgate passphrase set --system' });
    const ok = doctor('doctor_ok');
    expect(ok.checks.filter((c) => c.status === 'fail'), out('doctor_ok')).toEqual([]);
    expect(ok.ok).toBe(true);
    expect(ok.dir).toBe(SHIMS);
    for (const id of ['system:shims', 'system:blastgate', 'system:blastgate-code', 'system:node', 'system:profile', 'system:locked', 'system:key', 'system:log', 'path']) expect(ok.checks.find((c) => c.id === id)?.status, id).toBe('ok');
    const hole = doctor('doctor_hole');
    expect(hole.ok).toBe(false);
    expect(hole.checks.find((c) => c.id === 'system:file:/etc/blastgate/config.yaml')).toMatchObject({ status: 'fail', fix: 'chown root:root /etc/blastgate/config.yaml && chmod go-w /etc/blastgate/config.yaml' });
  });
});

describe('blastgate uninstall --system', () => {
  it('needs the passphrase once one is set: without a terminal it refuses and removes nothing', () => {
    expect(results.uninstall_notty).toBe('77');
    expect(results.profile_after_refusal).toBe('0');
  });

  it('removes exactly what init wrote and keeps the audit log', () => {
    expect(results.uninstall, out('uninstall')).toBe('0');
    for (const p of ['/etc/profile.d/blastgate.sh', '/etc/blastgate/config.yaml', '/etc/blastgate/installed.json', SHIMS, '/usr/local/lib/blastgate', '/etc/blastgate']) {
      expect(results[`exists:${p}`], p).toBe('1');
    }
    expect(results['exists:/var/log/blastgate/audit.jsonl']).toBe('0');
    expect(out('uninstall')).toMatch(/kept\s+\/var\/log\/blastgate\/audit\.jsonl/);
  });
});
