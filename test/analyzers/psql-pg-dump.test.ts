// What `pg_dump … |` feeds psql, read from pg_dump's own options (`pg_dump --help`): --clean in any
// spelling getopt accepts means drops; a value that happens to be "c" does not.
import { describe, expect, it } from 'vitest';
import { pgDumpOutput } from '../../src/analyzers/psql-pg-dump.js';
import type { SimpleCommand } from '../../src/types.js';

const cmd = (line: string, dynamic: number[] = []): SimpleCommand => ({
  argv: line.split(' '),
  assignments: {},
  redirects: [],
  stdin: { kind: 'inherit' },
  dynamic,
  text: line,
});
const body = (line: string) => {
  const out = pgDumpOutput(cmd(line));
  return out?.kind === 'herestring' ? out.body : null;
};

describe('pg_dump output for a pipe', () => {
  it.each(['pg_dump --clean shop', 'pg_dump -c shop', 'pg_dump -Oc shop', 'pg_dump --cl shop', 'pg_dump --clea --if-exists shop', 'pg_dump shop --clean'])('%s drops', (line) => {
    expect(body(line)).toContain('DROP TABLE "each table pg_dump shop dumps"');
    expect(body(line)).not.toContain('DROP DATABASE');
  });

  it.each(['pg_dump -cC shop', 'pg_dump --clean --create shop', 'pg_dump -C -c -d shop'])('%s drops the database too', (line) => {
    expect(body(line)).toContain('DROP DATABASE "shop"');
  });

  it.each(['pg_dump shop', 'pg_dump -Fc shop', 'pg_dump -t c shop', 'pg_dump -n c shop', 'pg_dump --create shop', 'pg_dump -Uc shop', 'pg_dump --column-inserts shop'])('%s only creates and fills', (line) => {
    expect(body(line)).not.toMatch(/DROP/);
  });

  it('a dump written to a file sends psql nothing', () => {
    expect(body('pg_dump -c -f out.sql shop')).toBe('');
    expect(body('pg_dump --file=out.sql --clean shop')).toBe('');
  });

  it('a word only known at run time leaves the output unknown', () => {
    expect(pgDumpOutput(cmd('pg_dump $FLAGS shop', [1]))).toBeNull();
  });
});
