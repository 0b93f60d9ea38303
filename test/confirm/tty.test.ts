// A human at a real terminal (tmux PTY), typing `dropdb …` into a shell whose PATH has the real shims
// (`blastgate init`'s rehash): only the exact answer typed on /dev/tty lets the tool run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installShims, makeSandbox, PASSPHRASE, Terminal, waitFor, type Sandbox } from './sandbox.js';

// Real processes and terminals: each test starts several node processes.
vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
const terms: Terminal[] = [];
const terminal = (argv: string[], opts: { pipeFrom?: string; env?: Record<string, string> } = {}) => {
  const t = new Terminal(box.root, argv, { ...box.env, ...opts.env }, box.work, opts);
  terms.push(t);
  return t;
};
/** dropdb's target is resolved (postgres resolver): the human types the database name. */
const PROMPT = /Type "shop" to run it/;

/** The root-owned system layer may loosen; here it narrows the passphrase tier so the typed name is tested alone. */
const systemConfig = (yaml: string) => writeFileSync(join(box.root, 'sys', 'config.yaml'), yaml);

beforeEach(async () => {
  box = makeSandbox();
  box.config('confirm:\n  timeout: 20\n');
  systemConfig('confirm:\n  passphrase: production\n');
  await installShims(box);
});
afterEach(() => {
  for (const t of terms.splice(0)) t.kill();
  box.cleanup();
});

describe('human at a terminal', () => {
  it('wrong name typed → exit 77, the tool never ran', async () => {
    const t = terminal(['dropdb', 'shop']);
    await t.waitForScreen(PROMPT);
    t.type('shop2');
    t.key('Enter');
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/blastgate: .*not run: .*what was typed is not "shop"/);
    expect(box.runs()).toEqual([]);
  });

  it('right name typed → the tool runs with exactly the argv given', async () => {
    const argv = ['dropdb', '--if-exists', 'shop orders', "it's", '$HOME', '--', '-x'];
    const t = terminal(argv);
    const screen = await t.waitForScreen(/Type "shop orders" to run it/);
    // The panel came first: the command as typed, what it destroys, and who asks.
    expect(screen).toContain(`command       dropdb --if-exists 'shop orders' 'it'\\''s' '$HOME' -- -x`);
    expect(screen).toMatch(/destroys\s+Deletes the database.* \[dropdb:drop-database, critical\]/);
    expect(screen).toMatch(/irreversible\s+YES/);
    expect(screen).toMatch(/asked by\s+human/);
    expect(screen).toMatch(/target\s+postgres shop orders/);
    t.type('shop orders');
    t.key('Enter');
    expect(await t.exitCode()).toBe(0);
    expect(box.runs()).toEqual([argv.slice(1)]);
  });

  it('Ctrl-C at the prompt → exit 77, the tool never ran', async () => {
    const t = terminal(['dropdb', 'shop']);
    await t.waitForScreen(PROMPT);
    t.type('drop');
    t.key('C-c');
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/not run: not confirmed: cancelled/);
    expect(box.runs()).toEqual([]);
  });

  it('no answer within confirm.timeout → exit 77, the tool never ran', async () => {
    box.config('confirm:\n  timeout: 2\n');
    const t = terminal(['dropdb', 'shop']);
    await t.waitForScreen(PROMPT);
    const started = Date.now();
    expect(await t.exitCode()).toBe(77);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(t.screen()).toMatch(/not confirmed: no answer within 2 s/);
    expect(box.runs()).toEqual([]);
  });

  it('Enter alone (the default) → exit 77', async () => {
    const t = terminal(['dropdb', 'shop']);
    await t.waitForScreen(PROMPT);
    t.key('Enter');
    expect(await t.exitCode()).toBe(77);
    expect(box.runs()).toEqual([]);
  });

  it('`yes shop | <dangerous>` cannot answer: the prompt reads /dev/tty, not stdin → 77 on timeout', async () => {
    box.config('confirm:\n  timeout: 3\n');
    const t = terminal(['dropdb', 'shop'], { pipeFrom: 'yes shop' });
    await t.waitForScreen(PROMPT);
    expect(await t.exitCode()).toBe(77);
    expect(box.runs()).toEqual([]);
  });

  it('high severity asks for an explicit y; anything else refuses', async () => {
    systemConfig('confirm:\n  passphrase: production\n  typeName: []\n');
    const no = terminal(['dropdb', 'shop']);
    await no.answer(/Type y to proceed/, 'n');
    expect(await no.exitCode()).toBe(77);
    const yes = terminal(['dropdb', 'shop']);
    await yes.answer(/Type y to proceed/, 'y');
    expect(await yes.exitCode()).toBe(0);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('confirm.passphrase: always → the name AND the passphrase; a wrong one asks again, as `approve` does, 3 times at most', async () => {
    box.config('confirm:\n  timeout: 20\n  passphrase: always\n');
    box.setPassphrase();
    const prompts = (t: Terminal) => t.screen().split('Approval passphrase').length - 1;
    const wrong = terminal(['dropdb', 'shop']);
    await wrong.answer(PROMPT, 'shop');
    for (let i = 0; i < 3; i++) {
      await waitFor(() => prompts(wrong) > i, 20_000, `passphrase prompt #${i + 1}`);
      wrong.type(`not the passphrase ${i}`);
      wrong.key('Enter');
    }
    expect(await wrong.exitCode()).toBe(77);
    expect(wrong.screen()).toMatch(/wrong approval passphrase \(3 attempts\)/);
    expect(wrong.screen()).not.toContain('not the passphrase');
    expect(box.runs()).toEqual([]);

    const second = terminal(['dropdb', 'shop']);
    await second.answer(PROMPT, 'shop');
    await second.answer(/Approval passphrase/, 'a typo');
    await waitFor(() => prompts(second) > 1, 20_000, 'the second passphrase prompt');
    expect(second.screen()).toMatch(/wrong passphrase/);
    second.type(PASSPHRASE);
    second.key('Enter');
    expect(await second.exitCode()).toBe(0);
    expect(second.screen()).not.toContain(PASSPHRASE);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('a wrong name is not shown with a check mark, and with NO_COLOR=1 the prompt is as plain as the panel', async () => {
    const t = terminal(['dropdb', 'shop'], { env: { NO_COLOR: '1' } });
    const shown = await t.waitForScreen(PROMPT);
    expect(shown).toMatch(/^\? Type "shop"/m);
    // eslint-disable-next-line no-control-regex
    expect(t.screenWithColour()).not.toMatch(/\x1b\[[0-9;]*m/);
    t.type('staging');
    t.key('Enter');
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).not.toContain('✔');
    expect(t.screen()).toMatch(/› Type "shop"/);
  });

  it('critical on PRODUCTION (default policy): the name, then the approval passphrase', async () => {
    box.setPassphrase();
    const t = terminal(['dropdb', 'shop_production']);
    const screen = await t.waitForScreen(/Type "shop_production" to run it/);
    expect(screen).toMatch(/needs confirmation: CRITICAL {2}!!! PRODUCTION !!!/);
    expect(screen).toMatch(/production {4}!!! PRODUCTION !!!/);
    t.type('shop_production');
    t.key('Enter');
    await t.answer(/Approval passphrase/, PASSPHRASE);
    expect(await t.exitCode()).toBe(0);
    expect(box.runs()).toEqual([['shop_production']]);
  });

  it('critical, not production (default policy): the name, then the approval passphrase — whoever seems to ask', async () => {
    systemConfig('');
    box.setPassphrase();
    const t = terminal(['dropdb', 'shop']);
    await t.answer(PROMPT, 'shop');
    await t.answer(/Approval passphrase/, PASSPHRASE);
    expect(await t.exitCode()).toBe(0);
    expect(box.runs()).toEqual([['shop']]);
  });

  it('critical, not production (default policy): the typed name alone does not run it', async () => {
    systemConfig('confirm:\n  timeout: 3\n');
    box.setPassphrase();
    const t = terminal(['dropdb', 'shop']);
    await t.answer(PROMPT, 'shop');
    await t.waitForScreen(/Approval passphrase/);
    expect(await t.exitCode()).toBe(77);
    expect(box.runs()).toEqual([]);
  });

  it('critical on PRODUCTION without a passphrase set: refused, with how to set one', async () => {
    const t = terminal(['dropdb', 'shop_production']);
    expect(await t.exitCode()).toBe(77);
    expect(t.screen()).toMatch(/blastgate: .*not run: .*`blastgate passphrase set`/);
    expect(t.screen()).not.toMatch(/Type "/);
    expect(box.runs()).toEqual([]);
  });

  it('an AI agent is never prompted on the terminal, even when it has one', async () => {
    const t = terminal(['dropdb', 'shop'], { env: { CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0' } });
    expect(await t.exitCode()).toBe(77);
    const screen = t.screen();
    expect(screen).not.toMatch(/Type "/);
    expect(screen).toMatch(/asked by\s+AI agent/);
    expect(screen).toMatch(/no approval passphrase is set/);
    expect(box.runs()).toEqual([]);
  });
});
