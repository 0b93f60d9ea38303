// The blast-radius panel and the challenge it leads to: nothing omitted, PRODUCTION loud, secrets masked.
import { Chalk } from 'chalk';
import { describe, expect, it, test } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../src/config/policy.js';
import { challengeFor } from '../../src/confirm/challenge.js';
import { chalkFor, panelDataFrom, renderPanel, shellQuote, type PanelData } from '../../src/confirm/panel.js';
import { approvalWaitSeconds } from '../../src/stages/confirm.js';
import type { Verdict } from '../../src/types.js';

const plain = new Chalk({ level: 0 });
const ESC = '\u001b[';

const verdict = (over: Partial<Verdict> = {}): Verdict => ({
  decision: 'confirm',
  severity: 'critical',
  matches: [
    { rule: 'railway:volume-delete', severity: 'critical', message: 'Deletes the volume and all data on it.', tool: 'railway', invocation: 0, blast: { irreversible: true, backups: true } },
  ],
  target: {
    kind: 'railway',
    name: 'pgdata',
    production: true,
    fields: { project: 'shop', environment: 'production', service: 'postgres', volume: 'pgdata', region: null },
    credential: { name: 'RAILWAY_API_TOKEN', scope: 'account-wide (every project of the account)' },
    resources: { count: 1, names: ['pgdata'], dataHolding: ['pgdata'] },
    unresolved: ['size'],
  },
  blast: { irreversible: true, backups: 'deleted', production: true },
  commands: [{ argv: ['railway', 'volume', 'delete', '--volume', 'pgdata'], program: 'railway', wrappers: [] }],
  unknowns: [],
  actor: 'agent',
  reason: 'railway:volume-delete (critical, production) → confirm for agent',
  trace: [],
  ...over,
});

const data = (v = verdict(), argv = ['railway', 'volume', 'delete', '--volume', 'pgdata']) => panelDataFrom(v, argv, '/home/alice/shop', 'CLAUDECODE=1 in environment (Claude Code)');
const rowsOf = (text: string) => Object.fromEntries(text.split('\n').slice(1).map((l) => [l.slice(0, 16).trim(), l.slice(16)]));

describe('renderPanel', () => {
  it('shows every part of the blast radius, PRODUCTION loudly, backups going too, the credential\'s scope and who asks', () => {
    const text = renderPanel(data(), plain);
    expect(text.split('\n')[0]).toBe('── blastgate ── railway needs confirmation: CRITICAL  !!! PRODUCTION !!!');
    expect(text).not.toMatch(/^blastgate:/m);
    expect(text).toContain('  command       railway volume delete --volume pgdata');
    expect(text).toContain('  directory     /home/alice/shop');
    expect(text).toContain('  destroys      Deletes the volume and all data on it. [railway:volume-delete, critical]');
    expect(text).toContain('  target        railway pgdata');
    expect(text).toContain('    environment production');
    expect(text).toContain('    holding data pgdata');
    expect(text).toContain('  production    !!! PRODUCTION !!!');
    expect(text).toContain('  irreversible  YES');
    expect(text).toContain('  backups       DELETED TOO');
    expect(text).toContain('  credential    RAILWAY_API_TOKEN — account-wide (every project of the account)');
    expect(text).toContain('  asked by      AI agent (CLAUDECODE=1 in environment (Claude Code))');
  });

  it('says "unknown" for every field it does not know — never drops a row', () => {
    const text = renderPanel(data(verdict({ target: null, blast: { irreversible: false, backups: 'unknown', production: 'unknown' }, matches: [{ rule: 'git:push-force', severity: 'high', message: 'Rewrites remote history.', tool: 'git', invocation: 0 }] })), plain);
    const rows = rowsOf(text);
    expect(rows.target).toBe('unknown (no resolver for this tool)');
    expect(rows.production).toBe('unknown');
    expect(rows.irreversible).toBe('unknown');
    expect(rows.backups).toBe('unknown');
    expect(rows.credential).toBe('unknown');
    const withGaps = renderPanel(data(), plain);
    expect(withGaps).toContain('    region      unknown');
    expect(withGaps).toContain('    size        unknown');
  });

  it('lists what the engine could not understand', () => {
    const text = renderPanel(data(verdict({ unknowns: [{ reason: 'command substitution $(…) decides the argument', text: '' }] })), plain);
    expect(text).toContain('  not understood command substitution $(…) decides the argument');
  });

  it('colour only on a terminal that wants it: NO_COLOR, a pipe or TERM=dumb give plain text', () => {
    expect(renderPanel(data(), chalkFor(true, { TERM: 'xterm-256color' }))).toContain(ESC);
    expect(renderPanel(data(), chalkFor(true, { NO_COLOR: '1' }))).not.toContain(ESC);
    expect(renderPanel(data(), chalkFor(false, {}))).not.toContain(ESC);
    expect(renderPanel(data(), chalkFor(true, { TERM: 'dumb' }))).not.toContain(ESC);
  });

  it('masks secrets in the command and in the target, using the caller\'s env too', () => {
    const argv = ['psql', 'postgres://admin:hunter2@db.prod/shop', '-c', 'DROP TABLE orders', '--token', 'tok-998877'];
    const v = verdict({ target: { kind: 'postgres', name: 'shop', production: true, fields: { url: 'postgres://admin:hunter2@db.prod/shop', token: 'tok-998877', key: 'envsecret123' } } });
    const text = renderPanel(data(v, argv), plain, { PGPASSWORD: 'envsecret123' });
    for (const s of ['hunter2', 'tok-998877', 'envsecret123']) expect(text).not.toContain(s);
    expect(text).toContain("command       psql 'postgres://admin:***@db.prod/shop' -c 'DROP TABLE orders' --token '***'");
  });

  it('quotes the command so it could be pasted back', () => {
    expect(shellQuote(['a b', "it's", '', '$X', 'plain-word_1.2/x'])).toBe(`'a b' 'it'\\''s' '' '$X' plain-word_1.2/x`);
  });
});

describe('challengeFor', () => {
  const policy = (confirm: Partial<Policy['confirm']> = {}): Pick<Policy, 'confirm'> => ({ confirm: { ...(DEFAULT_POLICY.confirm as Policy['confirm']), ...confirm } });
  const p = (over: Partial<PanelData> = {}): PanelData => ({ ...data(), ...over });
  const staging = (d: PanelData) => ({ ...d, target: { ...d.target!, production: false as const } });

  test.each<[string, PanelData, ReturnType<typeof policy>, { typeName: string | null; passphrase: boolean }]>([
    ['critical on production: the name and the passphrase (default)', p(), policy(), { typeName: 'pgdata', passphrase: true }],
    ['critical, not production: the name and the passphrase (default: critical OR production)', staging(p()), policy(), { typeName: 'pgdata', passphrase: true }],
    ['critical, not production, passphrase: production: the name only', staging(p()), policy({ passphrase: 'production' }), { typeName: 'pgdata', passphrase: false }],
    ['high, not production: y', staging(p({ severity: 'high' })), policy(), { typeName: null, passphrase: false }],
    ['high on production: the name and the passphrase (every production target, default)', p({ severity: 'high' }), policy(), { typeName: 'pgdata', passphrase: true }],
    ['typeName: [high] makes high type the name', staging(p({ severity: 'high' })), policy({ typeName: ['high', 'critical'] }), { typeName: 'pgdata', passphrase: false }],
    ['passphrase: never', p(), policy({ passphrase: 'never' }), { typeName: 'pgdata', passphrase: false }],
    ['passphrase: production', p({ severity: 'high' }), policy({ passphrase: 'production' }), { typeName: 'pgdata', passphrase: true }],
    ['passphrase: always', staging(p({ severity: 'high' })), policy({ passphrase: 'always' }), { typeName: null, passphrase: true }],
    ['target name unknown: the tool name', { ...staging(p()), target: { ...staging(p()).target!, name: null } }, policy({ passphrase: 'production' }), { typeName: 'railway', passphrase: false }],
  ])('%s', (_what, panel, pol, expected) => {
    expect(challengeFor(panel, pol)).toMatchObject(expected);
  });

  it('never asks to type a name that holds a secret', () => {
    const panel = staging(p({ argv: ['dropdb', '--token', 'tok-12345678'] }));
    panel.target = { ...panel.target!, name: 'tok-12345678' };
    expect(challengeFor(panel, policy())).toMatchObject({ typeName: 'railway', nameSource: 'tool-secret' });
  });
});

describe('approvalWaitSeconds', () => {
  test.each<[string | undefined, number]>([
    [undefined, 120],
    ['', 120],
    ['0', 0],
    ['5', 5],
    ['900', 900],
    ['2.5', 2.5],
    ['-1', 120],
    ['soon', 120],
  ])('BLASTGATE_APPROVAL_WAIT=%s → %s s', (value, seconds) => {
    expect(approvalWaitSeconds(value === undefined ? {} : { BLASTGATE_APPROVAL_WAIT: value }, 120)).toBe(seconds);
  });
});
