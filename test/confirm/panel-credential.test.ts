// Through a shim the shell has already expanded `$RAILWAY_API_TOKEN`: the panel still names the variable
// (as check and the hooks do, seeing the unexpanded line), never "a token written into the command line".
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { gateArgv, makeSandbox, runDetached, type Sandbox } from './sandbox.js';

vi.setConfig({ testTimeout: 60_000 });

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
  box.setPassphrase();
});
afterEach(() => box.cleanup());

it('an exported RAILWAY_API_TOKEN expanded into curl\'s argv is labelled by its variable name, its value masked', () => {
  const token = 'rw-acct-5b8e1c9d2f7a4e6b';
  const body = '{"query":"mutation { volumeDelete(volumeId: \\"vol_1\\") }"}';
  const argv = ['curl', '-H', `Authorization: Bearer ${token}`, 'https://backboard.railway.com/graphql/v2', '-d', body];
  const r = runDetached(gateArgv(argv), { ...box.env, CLAUDECODE: '1', BLASTGATE_APPROVAL_WAIT: '0', RAILWAY_API_TOKEN: token }, box.work);
  expect(r.code).toBe(77);
  expect(r.stderr).toMatch(/credential +RAILWAY_API_TOKEN \(sent as a Bearer token\) — account-wide/);
  expect(r.stderr).not.toContain('a token written into the command line');
  expect(r.stderr).not.toContain(token);
});
