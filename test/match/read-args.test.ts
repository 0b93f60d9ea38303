import { describe, expect, it } from 'vitest';
import { indexGrammar, readArgs } from '../../src/match/read-args.js';
import type { Grammar } from '../../src/rulesets/types.js';

const posix: Grammar = { style: 'posix', valueFlags: ['-n', '--namespace', '-o'], aliases: { '-f': '--force', '-r': '--recursive' }, envArgs: [], payloads: {} };
const go: Grammar = { style: 'go', valueFlags: ['-chdir', '-var'], aliases: {}, envArgs: [], payloads: {} };

const read = (g: Grammar, args: string[], unknownTakesValue = false) => {
  const r = readArgs(args, indexGrammar(g), unknownTakesValue);
  return { positionals: r.positionals, flags: Object.fromEntries(r.flags) };
};

describe('readArgs', () => {
  it.each([
    [['-rf', 'dir'], { '--recursive': ['true'], '--force': ['true'] }, ['dir']],
    [['--force=true', 'x'], { '--force': ['true'] }, ['x']],
    [['-n', 'prod', 'delete', 'pod'], { '-n': ['prod'] }, ['delete', 'pod']],
    [['-nprod', 'delete'], { '-n': ['prod'] }, ['delete']],
    [['--namespace=prod', 'delete'], { '--namespace': ['prod'] }, ['delete']],
    [['--', '-rf', '/'], {}, ['-rf', '/']],
    [['-', 'x'], {}, ['-', 'x']],
  ])('posix %j', (args, flags, positionals) => {
    expect(read(posix, args)).toEqual({ flags, positionals });
  });

  it.each([
    [['-chdir=infra', 'destroy', '-auto-approve'], { '-chdir': ['infra'], '-auto-approve': ['true'] }, ['destroy']],
    [['--auto-approve', 'destroy'], { '-auto-approve': ['true'] }, ['destroy']],
    [['-chdir', 'infra', 'apply', '-auto-approve=false'], { '-chdir': ['infra'], '-auto-approve': ['false'] }, ['apply']],
  ])('go style %j', (args, flags, positionals) => {
    expect(read(go, args)).toEqual({ flags, positionals });
  });

  it('reads an unknown long flag both ways so either reading can match', () => {
    expect(read(posix, ['--context', 'prod', 'delete']).positionals).toEqual(['prod', 'delete']);
    expect(read(posix, ['--context', 'prod', 'delete'], true).positionals).toEqual(['delete']);
  });
});

describe('grammar switches', () => {
  it('a declared switch never swallows the next word, even in the cautious reading', () => {
    const g: Grammar = { ...posix, switches: ['--dry-run'] };
    expect(read(g, ['delete', '--dry-run', 'ns', 'prod'], true).positionals).toEqual(['delete', 'ns', 'prod']);
    expect(read(posix, ['delete', '--dry-run', 'ns', 'prod'], true).positionals).toEqual(['delete', 'prod']);
  });
});

describe('abbreviated long options (getopt_long, git parse-options)', () => {
  const psqlLike: Grammar = {
    style: 'posix',
    valueFlags: ['-c', '-f'],
    aliases: { '--command': '-c', '--file': '-f', '-r': '--recursive' },
    envArgs: [],
    payloads: {},
    abbreviations: 'getopt',
    longOptions: ['--command=', '--csv', '--file=', '--field-separator=', '--recursive', '--force'],
  };
  const gitLike: Grammar = {
    style: 'posix',
    valueFlags: ['-C'],
    aliases: { '-f': '--force' },
    envArgs: [],
    payloads: {},
    abbreviations: 'getopt',
    commandLongOptions: { push: ['--force', '--force-with-lease', '--follow-tags', '--mirror', '--repo='], 'stash drop': ['--quiet'] },
  };

  it.each([
    [['--comm=DROP TABLE t'], { '-c': ['DROP TABLE t'] }, []],
    [['--comm', 'DROP TABLE t', 'shop'], { '-c': ['DROP TABLE t'] }, ['shop']],
    [['--fil=drop.sql'], { '-f': ['drop.sql'] }, []],
    [['--r', '--fo', 'x'], { '--recursive': ['true'], '--force': ['true'] }, ['x']],
    // Exact names win over longer ones they prefix.
    [['--command', 'SELECT 1'], { '-c': ['SELECT 1'] }, []],
  ])('a unique prefix is the option: %j', (args, flags, positionals) => {
    expect(read(psqlLike, args)).toEqual({ flags, positionals });
  });

  it('an ambiguous prefix is read as every option it could be, with the value when one takes it', () => {
    expect(read(psqlLike, ['--c', 'DROP TABLE t']).flags).toEqual({ '-c': ['DROP TABLE t'], '--csv': ['DROP TABLE t'] });
    expect(read(psqlLike, ['--f', 'x']).flags).toEqual({ '-f': ['x'], '--field-separator': ['x'], '--force': ['x'] });
  });

  it('reads subcommand options with that subcommand’s list; options before it must be exact', () => {
    expect(read(gitLike, ['push', '--mirr']).flags).toEqual({ '--mirror': ['true'] });
    expect(read(gitLike, ['push', '--f', 'origin', 'main'])).toEqual({
      flags: { '--force': ['true'], '--force-with-lease': ['true'], '--follow-tags': ['true'] },
      positionals: ['push', 'origin', 'main'],
    });
    expect(read(gitLike, ['push', '--rep', 'origin']).flags).toEqual({ '--repo': ['origin'] });
    expect(read(gitLike, ['--mirr', 'push']).flags).toEqual({ '--mirr': ['true'] });
    // A subcommand without a list: its parser is not known, only exact spellings are read.
    expect(read(gitLike, ['fetch', '--forc']).flags).toEqual({ '--forc': ['true'] });
    expect(read(gitLike, ['stash', 'drop', '--qu']).flags).toEqual({ '--quiet': ['true'] });
  });
});
