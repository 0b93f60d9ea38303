// Nothing user-controlled reaches a terminal raw (issue 9, item 5): cursor-up, erase-line, conceal, CR,
// bidi overrides and zero-width characters in argv or SQL are shown as visible escapes everywhere a human
// reads them — the panel, the refusal line, check/explain, pending, approve and log.
import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { refusalLine } from '../../src/commands/run.js';
import { shellQuote, visible } from '../../src/report/escape.js';
import type { Verdict } from '../../src/types.js';
import { blastgateArgv, gateArgv, makeSandbox, PASSPHRASE, runDetached, Terminal, type Sandbox } from '../confirm/sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

// What the attack in issue 9 wrote: move up a line, erase it, return to column 0, then conceal what follows.
const SPOOF = 'scratch\x1b[1A\x1b[2K\r\x1b[8mshop_production';
const BIDI = 'shop\u202enoitcudorp\u200b';
// Raw bytes that must never reach a terminal from caller-controlled text (our own colours are off here).
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u200b-\u200f]/;

describe('visible()', () => {
  it.each([
    ['ESC, CR and SGR conceal', '\x1b[1A\x1b[2K\r\x1b[8m', '\\x1b[1A\\x1b[2K\\r\\x1b[8m'],
    ['C1 CSI and DEL', 'a\x9b2Jb\x7f', 'a\\x9b2Jb\\x7f'],
    ['bidi override and zero-width space', BIDI, 'shop\\u202enoitcudorp\\u200b'],
    ['NUL, tab, newline', 'a\x00b\tc\nd', 'a\\x00b\\tc\\nd'],
    ['an isolate and the BOM', '\u2066x\u2069\ufeff', '\\u2066x\\u2069\\ufeff'],
  ])('%s', (_, raw, shown) => {
    expect(visible(raw)).toBe(shown);
  });

  it('leaves ordinary text, accents and emoji alone', () => {
    expect(visible('DROP TABLE "café" — 🚀')).toBe('DROP TABLE "café" — 🚀');
  });
});

describe('shellQuote()', () => {
  it('quotes as a shell would, and every quoted form pastes back into bash byte for byte', () => {
    const argv = ['psql', '-c', 'DROP TABLE x', "it's", '', SPOOF, BIDI, 'back\\slash'];
    const quoted = shellQuote(argv);
    expect(quoted).toContain("psql -c 'DROP TABLE x'");
    expect(quoted).toContain("$'scratch\\x1b[1A\\x1b[2K\\r\\x1b[8mshop_production'");
    expect(quoted).not.toMatch(RAW);
    const r = spawnSync('bash', ['-c', `printf '%s\\0' ${quoted}`], { encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(argv);
  });
});

describe('the refusal line', () => {
  it('quotes argv as a shell would and masks secrets', () => {
    const verdict = { severity: 'critical', matches: [{ rule: 'psql:drop-table', severity: 'critical', message: 'Drops table x.' }], unknowns: [] } as unknown as Verdict;
    expect(refusalLine(['psql', '-c', 'DROP TABLE x'], verdict, 'declined', {})).toBe("psql -c 'DROP TABLE x' not run: declined [psql:drop-table, critical: Drops table x.]");
    expect(refusalLine(['psql', 'postgres://app:s3cret@db/shop', '-c', 'DROP TABLE x'], verdict, 'declined', {})).not.toContain('s3cret');
  });
});

describe('through the real CLI', () => {
  let box: Sandbox;
  const terms: Terminal[] = [];
  beforeEach(() => {
    box = makeSandbox();
  });
  afterEach(() => {
    for (const t of terms.splice(0)) t.kill();
    box.cleanup();
  });
  const agent = { CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' };

  it('the gate\'s panel and refusal line, check, explain, pending and log write no raw control bytes', () => {
    box.setPassphrase();
    const gated = runDetached(gateArgv(['dropdb', SPOOF]), { ...box.env, ...agent }, box.work);
    expect(gated.code).toBe(77);
    expect(gated.stderr).not.toMatch(RAW);
    expect(gated.stderr).toContain("dropdb $'scratch\\x1b[1A\\x1b[2K\\r\\x1b[8mshop_production'");
    const refusal = gated.stderr.trimEnd().split('\n').at(-1)!;
    expect(refusal).toMatch(/^blastgate: dropdb \$'scratch\\x1b\[1A/);

    for (const args of [['check', '--', 'dropdb', SPOOF], ['explain', '--', 'dropdb', BIDI], ['check', '--shell', `psql -c 'DROP TABLE "${SPOOF}"'`], ['pending'], ['log']]) {
      const r = runDetached(blastgateArgv(args), { ...box.env, FORCE_COLOR: '0' }, box.work);
      expect(`${r.stdout}${r.stderr}`, args.join(' ')).not.toMatch(RAW);
    }
    const pending = runDetached(blastgateArgv(['pending']), box.env, box.work);
    expect(pending.stdout).toContain("$'scratch\\x1b[1A");
    const log = runDetached(blastgateArgv(['log']), box.env, box.work);
    expect(log.stdout).toContain("$'scratch\\x1b[1A");
  });

  it('in a real terminal, `approve` shows the spoofing sequence as text: no line is erased or concealed', async () => {
    box.setPassphrase();
    const gated = runDetached(gateArgv(['dropdb', SPOOF]), { ...box.env, ...agent }, box.work);
    const id = /blastgate approve ([a-z0-9]{8})/.exec(gated.stderr)![1]!;
    const t = new Terminal(box.root, blastgateArgv(['approve', id]), box.env, box.root);
    terms.push(t);
    const screen = await t.waitForScreen(/Approval passphrase to approve/);
    // Raw, \x1b[1A\x1b[2K\r would have wiped the "needs confirmation" header and \x1b[8m hidden the rest.
    expect(screen).toMatch(/── blastgate ── dropdb needs confirmation/);
    expect(screen).toContain("command       dropdb $'scratch\\x1b[1A\\x1b[2K\\r\\x1b[8mshop_production'");
    expect(screen).toMatch(/directory +\//);
    t.type(PASSPHRASE);
    t.key('Enter');
    expect(await t.exitCode()).toBe(0);
  });
});
