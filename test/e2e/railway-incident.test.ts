// End to end through the built CLI (npm run build first): the April 2026 request — a curl POST of
// volumeDelete with an account token — is stopped, and the verdict names the volume, the backups and the token.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blastgate, sandbox } from '../helpers/cli.js';

const INCIDENT = `curl -X POST https://backboard.railway.app/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -H 'Content-Type: application/json' -d '{"query":"mutation { volumeDelete(volumeId: \\"vol_123\\") }"}'`;

interface VerdictJson {
  decision: string;
  matches: Array<{ rule: string; severity: string; message: string }>;
  target: { name?: string; fields: Record<string, unknown>; credential?: { name: string; scope: string } } | null;
  blast: { irreversible: boolean; backups: string };
}

describe('the incident request through `blastgate check`', () => {
  it('the build includes the curl rules (run `npm run build` first)', () => {
    const compiled = join(import.meta.dirname, '..', '..', 'dist', 'rulesets.json');
    expect(existsSync(compiled), 'dist/rulesets.json is missing: run npm run build').toBe(true);
    expect(readFileSync(compiled, 'utf8')).toContain('curl:railway-volume-delete');
  });

  it('is stopped: critical, names vol_123, backups deleted, account-wide token', () => {
    const s = sandbox({ RAILWAY_API_TOKEN: 'dummy-not-a-real-token' });
    const r = blastgate(['check', '--json', '--shell', INCIDENT], { env: s.env, cwd: s.root });
    expect([10, 11], r.stderr).toContain(r.code);
    const v = JSON.parse(r.stdout) as VerdictJson;
    expect(v.decision).not.toBe('allow');
    expect(v.matches[0]).toMatchObject({ rule: 'curl:railway-volume-delete', severity: 'critical' });
    expect(v.matches[0]!.message).toContain('vol_123');
    expect(v.target).toMatchObject({ name: 'vol_123', fields: { volume: 'vol_123' } });
    expect(v.target!.credential).toMatchObject({ name: 'RAILWAY_API_TOKEN (sent as a Bearer token)', scope: expect.stringMatching(/^account-wide/) });
    expect(v.blast).toMatchObject({ irreversible: true, backups: 'deleted' });
    expect(r.stdout).not.toContain('dummy-not-a-real-token');
  });

  it('the text panel says it too', () => {
    const s = sandbox({ RAILWAY_API_TOKEN: 'dummy-not-a-real-token' });
    const r = blastgate(['check', '--shell', INCIDENT], { env: s.env, cwd: s.root });
    expect(r.stdout).toContain('vol_123');
    expect(r.stdout).toMatch(/backups: deleted/);
    expect(r.stdout).toMatch(/account-wide/);
  });

  it('the same endpoint with a read-only query is allowed', () => {
    const s = sandbox({ RAILWAY_API_TOKEN: 'dummy-not-a-real-token' });
    const r = blastgate(['check', '--shell', `curl -X POST https://backboard.railway.com/graphql/v2 -H "Authorization: Bearer $RAILWAY_API_TOKEN" -d '{"query":"query { me { id } }"}'`], { env: s.env, cwd: s.root });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
