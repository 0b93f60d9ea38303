// `psql -c …` does not read stdin: SQL that happens to be on stdin is not judged and reaches psql untouched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, sandbox } from '../helpers/cli.js';

const FAKE = join(import.meta.dirname, '..', 'fixtures', 'bin', 'fake-tool');

const runPsql = (args: string[], input: string) => {
  const s = sandbox({ BLASTGATE_APPROVAL_WAIT: '0' });
  const bin = join(s.root, 'bin');
  mkdirSync(bin);
  symlinkSync(FAKE, join(bin, 'psql'));
  const log = join(s.root, 'log');
  const r = spawnSync(process.execPath, [BIN, 'run', '--', 'psql', ...args], {
    env: { ...s.env, PATH: `${bin}:${s.env.PATH}`, FAKE_TOOL_LOG: log },
    input,
    encoding: 'utf8',
  });
  const read = (suffix: string) => {
    try {
      return readFileSync(`${log}.${suffix}`, 'utf8');
    } catch {
      return null;
    }
  };
  return { code: r.status, stderr: r.stderr, argv: read('argv'), stdin: read('stdin') };
};

describe('run: stdin the tool will not read', () => {
  it('psql -c ignores stdin, so SQL on stdin is not judged and passes through', () => {
    const r = runPsql(['-c', 'SELECT 1'], 'DROP TABLE orders;\n');
    expect(r.code).toBe(0);
    expect(r.argv).toBe('-c\0SELECT 1\0');
    expect(r.stdin).toBe('DROP TABLE orders;\n');
  });

  it('plain psql reads stdin, so the same SQL is judged and stopped before psql starts', () => {
    const r = runPsql(['shop'], 'DROP TABLE orders;\n');
    expect(r.code).toBe(77);
    // (the postgres resolver may have run its own read-only psql lookup; the user's psql never ran)
    expect(r.argv).not.toBe('shop\0');
  });
});
