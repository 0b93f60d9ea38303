// The words of a hook answer, from verdicts built by hand (production target, unknowns, long scripts).
import { describe, expect, it } from 'vitest';
import { commandLabel, describeVerdict } from '../../src/hooks/reason.js';
import type { Verdict } from '../../src/types.js';

const verdict = (over: Partial<Verdict>): Verdict => ({
  decision: 'confirm',
  severity: 'critical',
  matches: [],
  target: null,
  blast: { irreversible: false, backups: 'unknown', production: 'unknown' },
  commands: [{ argv: ['railway', 'volume', 'delete'], program: 'railway', wrappers: [] }],
  unknowns: [],
  actor: 'agent',
  reason: 'r',
  trace: [],
  ...over,
});

const volumeDelete = verdict({
  matches: [
    { rule: 'railway:volume-delete', severity: 'critical', message: 'Deletes the volume and its backups.', tool: 'railway', invocation: 0, alternative: 'railway volume detach' },
    { rule: 'railway:volume-delete', severity: 'critical', message: 'Deletes the volume and its backups.', tool: 'railway', invocation: 0, alternative: 'railway volume detach' },
  ],
  target: { kind: 'railway', name: 'shop', production: true, fields: { environment: 'production', volume: 'pg-data' }, credential: { name: 'RAILWAY_API_TOKEN', scope: 'account-wide' } },
  blast: { irreversible: true, backups: 'deleted', production: true },
});

describe('describeVerdict', () => {
  it('says what would be hit: production, the fields, the credential, that backups go too', () => {
    const { forUser } = describeVerdict('railway volume delete -v pg-data -y', volumeDelete);
    expect(forUser.split('\n')).toEqual([
      'blastgate: `railway volume delete -v pg-data -y` needs your confirmation.',
      '- railway:volume-delete (critical): Deletes the volume and its backups.',
      'Target: railway shop — PRODUCTION; environment: production, volume: pg-data, credential: RAILWAY_API_TOKEN (account-wide)',
      'Backups: deleted; irreversible: yes',
      'Safer alternative: railway volume detach',
    ]);
  });

  it('names what it could not judge, and does not invent a target when no rule fired', () => {
    const v = verdict({ severity: null, unknowns: [{ reason: 'unclosed quote', text: 'psql -c "DROP' }] });
    const { forModelCannotAsk } = describeVerdict('psql -c "DROP', v);
    expect(forModelCannotAsk).toContain('- cannot judge: unclosed quote — psql -c "DROP');
    expect(forModelCannotAsk).not.toContain('Target:');
  });

  it('has nothing to say about an allowed command', () => {
    expect(describeVerdict('ls', verdict({ decision: 'allow', severity: null }))).toEqual({ decision: 'allow', forUser: '', forModel: '', forModelCannotAsk: '' });
  });

  it('shows a long script as its first line and a line count', () => {
    expect(commandLabel('set -e\nterraform destroy -auto-approve\necho done\n')).toBe('set -e … (3 lines)');
    expect(commandLabel(`echo ${'x'.repeat(500)}`)).toHaveLength(300);
  });
});
