// Approval keys: derived from the passphrase, only the public half stored, and the system key wins.
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trustedKeys, userKeyPath, systemKeyPath, writeKeyFile } from '../../src/approvals/key-store.js';
import { createKeyFile, deriveSigningKey, passphraseMatches, signMessage, verifyMessage } from '../../src/approvals/keys.js';
import { makeSandbox, PASSPHRASE, type Sandbox } from '../confirm/sandbox.js';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.cleanup());

describe('passphrase → Ed25519 key', () => {
  it('the same passphrase and salt give the same key; the key file holds no secret', () => {
    const file = createKeyFile(PASSPHRASE);
    expect(deriveSigningKey(PASSPHRASE, file.kdf).publicKey.toString('base64')).toBe(file.publicKey);
    expect(file.kdf).toMatchObject({ name: 'scrypt', N: 2 ** 15, r: 8, p: 1 });
    expect(Object.keys(file).sort()).toEqual(['algorithm', 'created', 'kdf', 'publicKey', 'version']);
    expect(JSON.stringify(file)).not.toContain(PASSPHRASE);
  });

  it('a fresh salt per key: two users with one passphrase get different keys', () => {
    expect(createKeyFile(PASSPHRASE).publicKey).not.toBe(createKeyFile(PASSPHRASE).publicKey);
  });

  it('only the right passphrase unlocks signing; a signature verifies only under its own key', () => {
    const file = createKeyFile(PASSPHRASE);
    expect(passphraseMatches('Correct horse battery staple', file)).toBeNull();
    const key = passphraseMatches(PASSPHRASE, file)!;
    expect(key).not.toBeNull();
    const sig = signMessage('approve abc', key);
    expect(verifyMessage('approve abc', sig, file)).toBe(true);
    expect(verifyMessage('approve abd', sig, file)).toBe(false);
    expect(verifyMessage('approve abc', sig, createKeyFile(PASSPHRASE))).toBe(false);
    expect(verifyMessage('approve abc', 'not base64 at all!', file)).toBe(false);
  });
});

describe('which key is trusted', () => {
  it('the user key, when there is no system key', () => {
    box.setPassphrase();
    const found = trustedKeys(box.paths);
    expect(found.keys.map((k) => [k.origin, k.path])).toEqual([['user', userKeyPath(box.paths)]]);
  });

  it('no key at all: nothing is trusted (nothing can be approved)', () => {
    expect(trustedKeys(box.paths).keys).toEqual([]);
  });

  it('a root-owned system key is the ONLY key accepted; the user key is then ignored', () => {
    expect(process.getuid?.(), 'run as root to create a root-owned system dir').toBe(0);
    box.setPassphrase('user passphrase 1', 'user');
    box.setPassphrase(PASSPHRASE, 'system');
    expect(trustedKeys(box.paths).keys.map((k) => [k.origin, k.path])).toEqual([['system', systemKeyPath(box.paths)]]);
  });

  it('pointing BLASTGATE_SYSTEM_DIR elsewhere does not dodge the default system key (/etc/blastgate, here a stand-in)', () => {
    expect(process.getuid?.(), 'run as root to create a root-owned system dir').toBe(0);
    const etc = join(box.root, 'etc-blastgate');
    mkdirSync(etc, { mode: 0o755 });
    writeKeyFile(join(etc, 'approval-key.json'), createKeyFile(PASSPHRASE), 'system');
    box.setPassphrase('agent chosen pass', 'user');
    const agentDir = join(box.root, 'agent-sys');
    mkdirSync(agentDir, { mode: 0o777 });
    const paths = { ...box.paths, systemDirs: [{ dir: etc, trusted: true }, { dir: agentDir, trusted: false }] };
    expect(trustedKeys(paths).keys.map((k) => [k.origin, k.path])).toEqual([['system', join(etc, 'approval-key.json')]]);
  });

  it.each([
    ['the system dir is world-writable', () => chmodSync(box.paths.systemDir, 0o777)],
    ['the key file is group-writable', () => chmodSync(systemKeyPath(box.paths), 0o664)],
    ['the key file is owned by a normal user', () => chownSync(systemKeyPath(box.paths), 65534, 65534)],
    ['the system dir is owned by a normal user', () => chownSync(box.paths.systemDir, 65534, 65534)],
  ])('a system key is ignored (and said so) when %s', (_why, loosen) => {
    box.setPassphrase('user passphrase 1', 'user');
    box.setPassphrase(PASSPHRASE, 'system');
    loosen();
    const found = trustedKeys(box.paths);
    expect(found.keys.map((k) => k.origin)).toEqual(['user']);
    expect(found.ignored.join('\n')).toMatch(/system key .* ignored/);
  });

  it('a broken key file trusts nothing and says why', () => {
    writeFileSync(userKeyPath(box.paths), '{"version":1,"algorithm":"ed25519","publicKey":"AAAA"}');
    const found = trustedKeys(box.paths);
    expect(found.keys).toEqual([]);
    expect(found.ignored).toEqual([`${userKeyPath(box.paths)}: not an approval key file`]);
  });

  it('key files are written whole with private permissions', () => {
    const path = join(box.paths.configDir, 'approval-key.json');
    writeKeyFile(path, createKeyFile(PASSPHRASE), 'user');
    expect(JSON.parse(readFileSync(path, 'utf8')).algorithm).toBe('ed25519');
  });
});
