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
