// Where the gate sends a gated host's traffic decides where real credentials go: only a trusted system
// layer may redirect it or add upstream CAs. A user or project file (agent-writable) may only tighten.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { loadPolicy } from '../../src/config/policy.js';
import { resolvePaths } from '../../src/config/paths.js';
import { loadRuleIndex } from '../../src/rulesets/registry.js';
import { destination, egressSettings } from '../../src/egress/settings.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const settingsWith = async (userYaml: string, projectYaml: string) => {
  const root = mkdtempSync(join(tmpdir(), 'bg-egress-settings-'));
  dirs.push(root);
  const env = { HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'config'), XDG_STATE_HOME: join(root, 'state'), XDG_DATA_HOME: join(root, 'data'), BLASTGATE_SYSTEM_DIR: join(root, 'sys') };
  mkdirSync(join(root, 'config', 'blastgate'), { recursive: true });
  writeFileSync(join(root, 'config', 'blastgate', 'config.yaml'), userYaml);
  const project = join(root, 'work');
  mkdirSync(join(project, '.blastgate'), { recursive: true });
  writeFileSync(join(project, '.blastgate', 'config.yaml'), projectYaml);
  const paths = resolvePaths(env);
  const [policy, index] = await Promise.all([loadPolicy({ paths, cwd: project, actor: 'agent' }), loadRuleIndex({ paths, cwd: project })]);
  return egressSettings(policy, index);
};

it("a user or project file cannot point Railway's host at another server or add a CA, but can make egress strict", async () => {
  const s = await settingsWith(
    'egress:\n  resolve:\n    backboard.railway.app: "127.0.0.1:9"\n  ca: ["/etc/hostname"]\n  allow: [evil.example]\n',
    'egress:\n  default: deny\n',
  );
  expect(s.resolve).toEqual({});
  expect(s.upstreamCa).toEqual([]);
  expect(s.defaultDecision).toBe('deny');
  expect(destination(s, 'backboard.railway.app', 443)).toEqual({ ok: true, host: 'backboard.railway.app', port: 443, checkAddress: true });
  expect(destination(s, 'evil.example', 443)).toMatchObject({ ok: false });
});

it('the gated hosts and which credential goes where come from the rulesets', async () => {
  const s = await settingsWith('', '');
  expect(s.gated.has('backboard.railway.app')).toBe(true);
  expect(s.gated.has('backboard.railway.com')).toBe(true);
  const railway = s.credentialHosts.filter((c) => c.pattern === 'RAILWAY_API_TOKEN').flatMap((c) => c.hosts);
  expect(new Set(railway)).toEqual(new Set(['backboard.railway.app', 'backboard.railway.com']));
  // Loopback, link-local (cloud metadata) and non-web ports are no tunnel by default.
  expect(destination(s, '127.0.0.1', 443)).toMatchObject({ ok: false });
  expect(destination(s, '169.254.169.254', 80)).toMatchObject({ ok: false });
  expect(destination(s, 'db.example.com', 5432)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a web port/) });
  expect(destination(s, 'registry.npmjs.org', 443)).toMatchObject({ ok: true, checkAddress: true });
});
